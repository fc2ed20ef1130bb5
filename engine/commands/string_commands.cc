// String commands: GET SET (EX PX EXAT PXAT NX XX KEEPTTL GET) and friends.
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

using state::ValueType;

// Writes the string value of `key` as a reply (nil if absent); false after WRONGTYPE.
bool ReplyString(CommandContext& ctx, std::string_view key) {
  state::Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kString, &e)) return false;
  e ? ctx.reply.Bulk(*e->str()) : ctx.reply.Null();
  return true;
}

// Emits SET with the absolute expiry (or KEEPTTL) so replay never depends on the clock.
void SetValue(CommandContext& ctx, std::string_view key, std::string_view value,
              int64_t expire_at_ms, bool keep_ttl) {
  state::Entry* existing = CurrentDb(ctx).Find(key, ctx.now_ms);
  if (keep_ttl && existing != nullptr && existing->expire_at_ms() != 0) {
    Apply(ctx, {"SET", key, value, "KEEPTTL"});
  } else if (expire_at_ms > 0) {
    std::string at = IntToString(expire_at_ms);
    Apply(ctx, {"SET", key, value, "PXAT", at});
  } else {
    Apply(ctx, {"SET", key, value});
  }
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", key);
  if (expire_at_ms > 0) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
}

// Turns a relative/absolute expiry argument into absolute ms; false (and an error reply) if
// it is not a positive integer or overflows.
bool ExpiryArg(CommandContext& ctx, std::string_view arg, int64_t unit_ms, bool absolute,
               int64_t* at_ms) {
  auto v = ParseInt(arg);
  if (!v) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  if (*v <= 0 || *v > LLONG_MAX / unit_ms || (!absolute && *v * unit_ms > LLONG_MAX - ctx.now_ms)) {
    ctx.reply.Error("ERR invalid expire time in '" + ToLower(ctx.argv[0]) + "' command");
    return false;
  }
  *at_ms = absolute ? *v * unit_ms : ctx.now_ms + *v * unit_ms;
  return true;
}

void IncrByImpl(CommandContext& ctx, int64_t delta) {
  std::string_view key = ctx.argv[1];
  state::Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kString, &e)) return;
  int64_t current = 0;
  if (e != nullptr) {
    auto v = ParseInt(*e->str());
    if (!v) return ctx.reply.Error(kErrNotInteger);
    current = *v;
  }
  if ((delta > 0 && current > LLONG_MAX - delta) || (delta < 0 && current < LLONG_MIN - delta)) {
    return ctx.reply.Error(kErrOverflow);
  }
  int64_t result = current + delta;
  std::string text = IntToString(result);
  if (e != nullptr && e->expire_at_ms() != 0) {
    Apply(ctx, {"SET", key, text, "KEEPTTL"});
  } else {
    Apply(ctx, {"SET", key, text});
  }
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrby", key);
  ctx.reply.Integer(result);
}

void Get(CommandContext& ctx) { ReplyString(ctx, ctx.argv[1]); }

// A read lookup in a write (SET GET, GETDEL, GETEX: Redis's lookupKeyRead, a hit or miss,
// keymiss); WRONGTYPE replied when the key holds another type.
state::Entry* LookupString(CommandContext& ctx, std::string_view key) {
  state::Entry* e = LookupRead(ctx, key);
  if (e != nullptr && e->type() != ValueType::kString) ctx.reply.Error(kErrWrongType);
  return e;
}

void Set(CommandContext& ctx) {
  std::string_view key = ctx.argv[1], value = ctx.argv[2];
  bool nx = false, xx = false, keep_ttl = false, get = false;
  int64_t expire_at_ms = 0;
  bool has_expiry = false;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    std::string opt = ToLower(ctx.argv[i]);
    bool has_next = i + 1 < ctx.argv.size();
    if (opt == "nx" && !xx) {
      nx = true;
    } else if (opt == "xx" && !nx) {
      xx = true;
    } else if (opt == "get") {
      get = true;
    } else if (opt == "keepttl" && !has_expiry) {
      keep_ttl = true;
    } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && has_next &&
               !keep_ttl && !has_expiry) {
      int64_t unit = (opt == "ex" || opt == "exat") ? 1000 : 1;
      bool absolute = opt == "exat" || opt == "pxat";
      if (!ExpiryArg(ctx, ctx.argv[++i], unit, absolute, &expire_at_ms)) return;
      has_expiry = true;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  // GET makes it a read lookup (Redis's getGenericCommand: a hit or miss, keymiss).
  state::Entry* e = get ? LookupString(ctx, key) : CurrentDb(ctx).Find(key, ctx.now_ms);
  if (get && e != nullptr && e->type() != ValueType::kString) return;
  std::string old;
  bool had_old = e != nullptr;
  if (get && had_old) old = *e->str();
  if ((nx && had_old) || (xx && !had_old)) {
    if (get) {
      had_old ? ctx.reply.Bulk(old) : ctx.reply.Null();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  SetValue(ctx, key, value, expire_at_ms, keep_ttl);
  if (get) {
    had_old ? ctx.reply.Bulk(old) : ctx.reply.Null();
  } else {
    ctx.reply.SimpleString("OK");
  }
}

void Setnx(CommandContext& ctx) {
  if (CurrentDb(ctx).Find(ctx.argv[1], ctx.now_ms) != nullptr) return ctx.reply.Integer(0);
  SetValue(ctx, ctx.argv[1], ctx.argv[2], 0, false);
  ctx.reply.Integer(1);
}

void SetexImpl(CommandContext& ctx, int64_t unit_ms) {
  int64_t at = 0;
  if (!ExpiryArg(ctx, ctx.argv[2], unit_ms, false, &at)) return;
  SetValue(ctx, ctx.argv[1], ctx.argv[3], at, false);
  ctx.reply.SimpleString("OK");
}
void Setex(CommandContext& ctx) { SetexImpl(ctx, 1000); }
void Psetex(CommandContext& ctx) { SetexImpl(ctx, 1); }

void Getset(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kString, &e)) return;
  std::optional<std::string> old;
  if (e) old = *e->str();
  SetValue(ctx, ctx.argv[1], ctx.argv[2], 0, false);
  old ? ctx.reply.Bulk(*old) : ctx.reply.Null();
}

void Getdel(CommandContext& ctx) {
  state::Entry* e = LookupString(ctx, ctx.argv[1]);
  if (e == nullptr) return ctx.reply.Null();
  if (e->type() != ValueType::kString) return;
  std::string old(*e->str());
  Apply(ctx, {"DEL", ctx.argv[1]});
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.argv[1]);
  ctx.reply.Bulk(old);
}

void Getex(CommandContext& ctx) {
  std::string_view key = ctx.argv[1];
  int64_t at = 0;
  bool persist = false, set_expiry = false;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    std::string opt = ToLower(ctx.argv[i]);
    bool has_next = i + 1 < ctx.argv.size();
    if (opt == "persist" && !set_expiry && !persist) {
      persist = true;
    } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && has_next &&
               !persist && !set_expiry) {
      int64_t unit = (opt == "ex" || opt == "exat") ? 1000 : 1;
      if (!ExpiryArg(ctx, ctx.argv[++i], unit, opt == "exat" || opt == "pxat", &at)) return;
      set_expiry = true;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  state::Entry* e = LookupString(ctx, key);
  if (e == nullptr) return ctx.reply.Null();
  if (e->type() != ValueType::kString) return;
  std::string value(*e->str());
  if (set_expiry) {
    if (at <= ctx.now_ms) {
      Apply(ctx, {"DEL", key});
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    } else {
      std::string at_text = IntToString(at);
      Apply(ctx, {"PEXPIREAT", key, at_text});
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
    }
  } else if (persist && e->expire_at_ms() != 0) {
    Apply(ctx, {"PERSIST", key});
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "persist", key);
  }
  ctx.reply.Bulk(value);
}

void Mget(CommandContext& ctx) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 1));
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    const state::Entry* e = LookupRead(ctx, ctx.argv[i]);
    (e && e->str()) ? ctx.reply.Bulk(*e->str()) : ctx.reply.Null();
  }
}

void Mset(CommandContext& ctx) {
  if (ctx.argv.size() % 2 != 1) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.argv[0]) +
                           "' command");
  }
  for (size_t i = 1; i + 1 < ctx.argv.size(); i += 2) {
    SetValue(ctx, ctx.argv[i], ctx.argv[i + 1], 0, false);
  }
  ctx.reply.SimpleString("OK");
}

void Msetnx(CommandContext& ctx) {
  if (ctx.argv.size() % 2 != 1) {
    return ctx.reply.Error("ERR wrong number of arguments for 'msetnx' command");
  }
  for (size_t i = 1; i < ctx.argv.size(); i += 2) {
    if (CurrentDb(ctx).Find(ctx.argv[i], ctx.now_ms) != nullptr) return ctx.reply.Integer(0);
  }
  for (size_t i = 1; i + 1 < ctx.argv.size(); i += 2) {
    SetValue(ctx, ctx.argv[i], ctx.argv[i + 1], 0, false);
  }
  ctx.reply.Integer(1);
}

void Append(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kString, &e)) return;
  int64_t size = e ? static_cast<int64_t>(e->str()->size()) : 0;
  if (!StringLengthOk(size, static_cast<int64_t>(ctx.argv[2].size()))) {
    return ctx.reply.Error(kErrStringTooLong);
  }
  if (e == nullptr && CurrentDb(ctx).FindRaw(ctx.argv[1]) != nullptr) {
    Apply(ctx, {"DEL", ctx.argv[1]});  // an expired value must not be appended to
    NotifyKeyspaceEvent(ctx, kNotifyExpired, "expired", ctx.argv[1]);
  }
  Apply(ctx, {"APPEND", ctx.argv[1], ctx.argv[2]});
  NotifyKeyspaceEvent(ctx, kNotifyString, "append", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(CurrentDb(ctx).FindRaw(ctx.argv[1])->str()->size()));
}

void Strlen(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kString, &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->str()->size()) : 0);
}

void Incr(CommandContext& ctx) { IncrByImpl(ctx, 1); }
void Decr(CommandContext& ctx) { IncrByImpl(ctx, -1); }
void Incrby(CommandContext& ctx) {
  auto d = ParseInt(ctx.argv[2]);
  if (!d) return ctx.reply.Error(kErrNotInteger);
  IncrByImpl(ctx, *d);
}
void Decrby(CommandContext& ctx) {
  auto d = ParseInt(ctx.argv[2]);
  if (!d) return ctx.reply.Error(kErrNotInteger);
  if (*d == LLONG_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrByImpl(ctx, -*d);
}

void Incrbyfloat(CommandContext& ctx) {
  std::string_view key = ctx.argv[1];
  auto delta = ParseLongDouble(ctx.argv[2]);
  if (!delta) return ctx.reply.Error(kErrNotFloat);
  state::Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kString, &e)) return;
  long double current = 0;
  if (e != nullptr) {
    auto v = ParseLongDouble(*e->str());
    if (!v) return ctx.reply.Error(kErrNotFloat);
    current = *v;
  }
  long double result = current + *delta;
  if (std::isnan(result) || std::isinf(result)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  // Logged as a SET of the formatted result: replay never redoes float arithmetic.
  std::string text = FormatLongDouble(result);
  if (e != nullptr && e->expire_at_ms() != 0) {
    Apply(ctx, {"SET", key, text, "KEEPTTL"});
  } else {
    Apply(ctx, {"SET", key, text});
  }
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(text);
}

void Getrange(CommandContext& ctx) {
  auto start = ParseInt(ctx.argv[2]), end = ParseInt(ctx.argv[3]);
  if (!start || !end) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kString, &e)) return;
  if (e == nullptr) return ctx.reply.Bulk("");
  std::string_view s = *e->str();
  int64_t len = static_cast<int64_t>(s.size());
  int64_t a = *start, b = *end;
  if (a < 0 && b < 0 && a > b) return ctx.reply.Bulk("");
  if (a < 0) a = std::max<int64_t>(0, len + a);
  if (b < 0) b = std::max<int64_t>(0, len + b);
  b = std::min(b, len - 1);
  if (a > b || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(
      std::string_view(s).substr(static_cast<size_t>(a), static_cast<size_t>(b - a + 1)));
}

void Setrange(CommandContext& ctx) {
  auto offset = ParseInt(ctx.argv[2]);
  if (!offset) return ctx.reply.Error(kErrNotInteger);
  if (*offset < 0) return ctx.reply.Error("ERR offset is out of range");
  std::string_view value = ctx.argv[3];
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], ValueType::kString, &e)) return;
  // Redis answers an empty write before checking the size: nothing grows.
  if (value.empty()) return ctx.reply.Integer(e ? static_cast<int64_t>(e->str()->size()) : 0);
  if (!StringLengthOk(*offset, static_cast<int64_t>(value.size()))) {
    return ctx.reply.Error(kErrStringTooLong);
  }
  if (e == nullptr && CurrentDb(ctx).FindRaw(ctx.argv[1]) != nullptr) {
    Apply(ctx, {"DEL", ctx.argv[1]});
    NotifyKeyspaceEvent(ctx, kNotifyExpired, "expired", ctx.argv[1]);
  }
  Apply(ctx, {"SETRANGE", ctx.argv[1], ctx.argv[2], value});
  NotifyKeyspaceEvent(ctx, kNotifyString, "setrange", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(CurrentDb(ctx).FindRaw(ctx.argv[1])->str()->size()));
}

// --- LCS: Redis 7.0's dynamic programme over the two strings, walked back from the end ---

struct LcsOptions {
  bool len = false, idx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
};

// One run of matching bytes: [a_start, a_end] in the first string, [b_start, b_end] in the
// second.
struct LcsRange {
  size_t a_start, a_end, b_start, b_end;
  size_t size() const { return a_end - a_start + 1; }
};

bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    std::string opt = ToLower(ctx.argv[j]);
    if (opt == "idx") {
      o->idx = true;
    } else if (opt == "len") {
      o->len = true;
    } else if (opt == "withmatchlen") {
      o->withmatchlen = true;
    } else if (opt == "minmatchlen" && j + 1 < ctx.argv.size()) {
      auto v = ParseInt(ctx.argv[++j]);
      if (!v) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      o->minmatchlen = std::max<int64_t>(*v, 0);
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (o->idx && o->len) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

// The LCS string and its maximal runs, last run first (Redis's order).
void LcsWalk(std::string_view a, std::string_view b, const std::vector<uint32_t>& table,
             std::string* lcs, std::vector<LcsRange>* ranges) {
  const size_t width = b.size() + 1;
  auto at = [&](size_t i, size_t j) { return table[i * width + j]; };
  lcs->assign(at(a.size(), b.size()), '\0');
  size_t fill = lcs->size();
  std::optional<LcsRange> run;
  size_t i = a.size(), j = b.size();
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      (*lcs)[--fill] = a[i - 1];
      // A match right before the current run extends it; any other match starts a new one.
      if (run && run->a_start == i && run->b_start == j) {
        run->a_start = i - 1;
        run->b_start = j - 1;
      } else {
        if (run) ranges->push_back(*run);
        run = LcsRange{i - 1, i - 1, j - 1, j - 1};
      }
      --i;
      --j;
    } else if (at(i - 1, j) > at(i, j - 1)) {
      --i;
    } else {
      --j;
    }
  }
  if (run) ranges->push_back(*run);
}

void ReplyLcsIdx(CommandContext& ctx, const std::vector<LcsRange>& ranges, const LcsOptions& o,
                 size_t lcs_len) {
  std::vector<LcsRange> kept;
  for (const LcsRange& r : ranges) {
    if (static_cast<int64_t>(r.size()) >= o.minmatchlen) kept.push_back(r);
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayHeader(static_cast<int64_t>(kept.size()));
  for (const LcsRange& r : kept) {
    ctx.reply.ArrayHeader(o.withmatchlen ? 3 : 2);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(static_cast<int64_t>(r.a_start));
    ctx.reply.Integer(static_cast<int64_t>(r.a_end));
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(static_cast<int64_t>(r.b_start));
    ctx.reply.Integer(static_cast<int64_t>(r.b_end));
    if (o.withmatchlen) ctx.reply.Integer(static_cast<int64_t>(r.size()));
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(static_cast<int64_t>(lcs_len));
}

void Lcs(CommandContext& ctx) {
  const state::Entry* ea = LookupRead(ctx, ctx.argv[1]);
  const state::Entry* eb = LookupRead(ctx, ctx.argv[2]);
  if ((ea && !ea->str()) || (eb && !eb->str())) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  std::string a(ea ? *ea->str() : ""), b(eb ? *eb->str() : "");
  LcsOptions o;
  if (!ParseLcsOptions(ctx, &o)) return;
  // The table is (|a|+1) x (|b|+1) uint32: refused past proto-max-bulk-len, as Redis does,
  // so no client can make the engine allocate without bound.
  uint64_t cells = (uint64_t{a.size()} + 1) * (uint64_t{b.size()} + 1);
  if (cells > static_cast<uint64_t>(kStringBytesMax) / sizeof(uint32_t)) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  const size_t width = b.size() + 1;
  std::vector<uint32_t> table(cells, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      table[i * width + j] = a[i - 1] == b[j - 1]
                                 ? table[(i - 1) * width + j - 1] + 1
                                 : std::max(table[(i - 1) * width + j], table[i * width + j - 1]);
    }
  }
  size_t lcs_len = table.back();
  if (o.len) return ctx.reply.Integer(static_cast<int64_t>(lcs_len));
  std::string lcs;
  std::vector<LcsRange> ranges;
  LcsWalk(a, b, table, &lcs, &ranges);
  if (!o.idx) return ctx.reply.Bulk(lcs);
  ReplyLcsIdx(ctx, ranges, o, lcs_len);
}

}  // namespace

void RegisterStringCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"get", 2, kReadonly | kFast, 1, 1, 1, Get});
  r.Add({"set", -3, kWrite | kDenyOom, 1, 1, 1, Set});
  r.Add({"setnx", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Setnx});
  r.Add({"setex", 4, kWrite | kDenyOom, 1, 1, 1, Setex});
  r.Add({"psetex", 4, kWrite | kDenyOom, 1, 1, 1, Psetex});
  r.Add({"getset", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Getset});
  r.Add({"getdel", 2, kWrite | kFast, 1, 1, 1, Getdel});
  r.Add({"getex", -2, kWrite | kFast, 1, 1, 1, Getex});
  r.Add({"mget", -2, kReadonly | kFast, 1, -1, 1, Mget});
  r.Add({"mset", -3, kWrite | kDenyOom, 1, -1, 2, Mset});
  r.Add({"msetnx", -3, kWrite | kDenyOom, 1, -1, 2, Msetnx});
  r.Add({"append", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Append});
  r.Add({"strlen", 2, kReadonly | kFast, 1, 1, 1, Strlen});
  r.Add({"incr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, Incr});
  r.Add({"decr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, Decr});
  r.Add({"incrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Incrby});
  r.Add({"decrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Decrby});
  r.Add({"incrbyfloat", 3, kWrite | kDenyOom | kFast, 1, 1, 1, Incrbyfloat});
  r.Add({"lcs", -3, kReadonly, 1, 2, 1, Lcs});
  r.Add({"getrange", 4, kReadonly, 1, 1, 1, Getrange});
  r.Add({"substr", 4, kReadonly, 1, 1, 1, Getrange});
  r.Add({"setrange", 4, kWrite | kDenyOom, 1, 1, 1, Setrange});
}

}  // namespace strongbox::engine
