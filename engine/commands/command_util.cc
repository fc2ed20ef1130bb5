// Argument parsing and the emit-and-apply path shared by all handlers.
#include "engine/commands/command_util.h"

#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "common/state/apply.h"
#include "common/util/check.h"
#include "engine/commands/command_stats.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {

std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s[0] == '+')) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

namespace {

// Redis's string2d/string2ld: no leading space, nothing after the number, no NaN, and an
// overflow (ERANGE with +-HUGE_VAL) or an underflow to zero (ERANGE with 0) is not a number.
template <typename T, T (*kStrto)(const char*, char**)>
std::optional<T> ParseFloating(std::string_view s, size_t max_chars) {
  if (s.empty() || s.size() >= max_chars || std::isspace(static_cast<unsigned char>(s[0]))) {
    return std::nullopt;
  }
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  T v = kStrto(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

double StrToD(const char* s, char** end) { return std::strtod(s, end); }
long double StrToLd(const char* s, char** end) { return std::strtold(s, end); }

}  // namespace

std::optional<double> ParseDouble(std::string_view s) {
  return ParseFloating<double, StrToD>(s, kParseDoubleCharsMax);
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  return ParseFloating<long double, StrToLd>(s, kParseLongDoubleCharsMax);
}

std::optional<int64_t> ParseIntInRange(CommandContext& ctx, std::string_view arg, int64_t min,
                                       int64_t max) {
  auto v = ParseInt(arg);
  if (!v) {
    ctx.reply.Error(kErrNotInteger);
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    ctx.reply.Error("ERR value is out of range, value must between " + IntToString(min) + " and " +
                    IntToString(max));
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> ParseRandomCount(CommandContext& ctx, std::string_view arg) {
  return ParseIntInRange(ctx, arg, -LLONG_MAX, LLONG_MAX);
}

bool RandomPairsCountOk(CommandContext& ctx, int64_t count) {
  if (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2) {
    ctx.reply.Error("ERR value is out of range");
    return false;
  }
  return true;
}

bool RandomRepeatCountOk(CommandContext& ctx, int64_t count) {
  if (count < -kRandomRepeatCountMax) {
    ctx.reply.Error("ERR value is out of range");
    return false;
  }
  return true;
}

std::optional<MpopArgs> ParseMpopArgs(CommandContext& ctx, size_t numkeys_index,
                                      std::string_view first_side, std::string_view second_side) {
  auto numkeys = ParseInt(ctx.argv[numkeys_index]);
  if (!numkeys || *numkeys <= 0) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return std::nullopt;
  }
  size_t first = numkeys_index + 1;
  // At least the side must follow the keys.
  if (*numkeys > static_cast<int64_t>(ctx.argv.size() - first) - 1) {
    ctx.reply.Error(kErrSyntax);
    return std::nullopt;
  }
  MpopArgs a;
  a.keys = ctx.argv.subspan(first, static_cast<size_t>(*numkeys));
  size_t i = first + static_cast<size_t>(*numkeys);
  a.first = EqualsIgnoreCase(ctx.argv[i], first_side);
  if (!a.first && !EqualsIgnoreCase(ctx.argv[i], second_side)) {
    ctx.reply.Error(kErrSyntax);
    return std::nullopt;
  }
  bool have_count = false;
  for (++i; i < ctx.argv.size(); i += 2) {
    if (!EqualsIgnoreCase(ctx.argv[i], "count") || have_count || i + 1 >= ctx.argv.size()) {
      ctx.reply.Error(kErrSyntax);
      return std::nullopt;
    }
    auto count = ParseInt(ctx.argv[i + 1]);
    if (!count || *count <= 0) {
      ctx.reply.Error("ERR count should be greater than 0");
      return std::nullopt;
    }
    a.count = *count;
    have_count = true;
  }
  return a;
}

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms) {
  auto seconds = ParseLongDouble(arg);
  if (!seconds) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis 7.0 truncates seconds*1000 to long long; out of range (inf too) the x86 conversion
  // yields LLONG_MIN, so a huge timeout is refused as negative, like Redis does.
  long double ms = *seconds * 1000.0L;
  int64_t timeout_ms = (ms < 0x1p63L && ms > -0x1p63L) ? static_cast<int64_t>(ms) : LLONG_MIN;
  if (timeout_ms < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  // 0 blocks forever; a deadline past the clock's range is forever too (no overflow).
  *deadline_ms =
      timeout_ms == 0 || timeout_ms > LLONG_MAX - ctx.now_ms ? 0 : ctx.now_ms + timeout_ms;
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string IntToString(int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  return std::string(buf, p);
}

std::string FormatLongDouble(long double v) {
  char buf[5500];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  std::string out(buf, static_cast<size_t>(n));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

void Apply(CommandContext& ctx, std::span<const std::string_view> argv) {
  ctx.effects.Emit(ctx.client.db, argv);
  std::optional<std::string> new_key = NewKeyCandidate(ctx, argv);  // keyspace event 'n'
  absl::Status s = state::ApplyOp(ctx.state, ctx.client.db, argv);
  // The handler built this effect from the state it just read: failing to apply it means the
  // engine and replay disagree, which must never be hidden.
  SB_CHECK(s.ok(), "effect does not apply: %s", s.ToString().c_str());
  // WATCH and blocked clients learn of the write from the effect table's touched keys.
  state::TouchScope scope = state::ForEachTouchedKey(
      ctx.client.db, argv,
      [&ctx](uint8_t db, std::string_view key) { ctx.server.TouchKey(db, key); });
  switch (scope) {
    case state::TouchScope::kKeys:
      break;
    case state::TouchScope::kDatabase:
      ctx.server.TouchAll(ctx.client.db);
      break;
    case state::TouchScope::kAllDatabases:
      ctx.server.TouchAll(-1);
      break;
  }
  NotifyIfCreated(ctx, new_key);
}

void Apply(CommandContext& ctx, std::initializer_list<std::string_view> argv) {
  Apply(ctx, std::span<const std::string_view>(argv.begin(), argv.size()));
}

// HDEL, SREM, ZREM: the notification class of the family.
uint32_t RemovalClass(std::string_view op) {
  return op == "HDEL" ? kNotifyHash : op == "SREM" ? kNotifySet : kNotifyZset;
}

void RemoveMembers(CommandContext& ctx, std::string_view op,
                   absl::FunctionRef<bool(std::string_view)> contains) {
  std::vector<std::string_view> effect{op, ctx.argv[1]};
  // A set, not a scan of the effect, finds repeats: a client may name a million members.
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (contains(ctx.argv[i]) && seen.insert(ctx.argv[i]).second) effect.push_back(ctx.argv[i]);
  }
  int64_t removed = static_cast<int64_t>(effect.size() - 2);
  if (removed > 0) Apply(ctx, effect);
  if (removed > 0) NotifyElementsRemoved(ctx, RemovalClass(op), ToLower(op), ctx.argv[1]);
  ctx.reply.Integer(removed);
}

void DropIfExpired(CommandContext& ctx, std::string_view key) {
  state::Db& db = CurrentDb(ctx);
  if (db.Find(key, ctx.now_ms) == nullptr && db.FindRaw(key) != nullptr) {
    Apply(ctx, {"DEL", key});
    NotifyKeyspaceEvent(ctx, kNotifyExpired, "expired", key);
  }
}

bool LookupTyped(CommandContext& ctx, std::string_view key, state::ValueType type,
                 state::Entry** entry) {
  *entry = CurrentDb(ctx).Find(key, ctx.now_ms);
  CommandStats* stats = ctx.server.command_stats();
  if (stats != nullptr && stats->RecordLookup(*entry != nullptr) && *entry == nullptr) {
    NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", key);
  }
  if (*entry != nullptr && (*entry)->type() != type) {
    ctx.reply.Error(kErrWrongType);
    return false;
  }
  return true;
}

state::Entry* LookupRead(CommandContext& ctx, std::string_view key) {
  state::Entry* entry = CurrentDb(ctx).Find(key, ctx.now_ms);
  if (CommandStats* stats = ctx.server.command_stats()) stats->RecordReadLookup(entry != nullptr);
  if (entry == nullptr) NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", key);
  return entry;
}

}  // namespace strongbox::engine
