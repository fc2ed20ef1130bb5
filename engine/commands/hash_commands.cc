// Hash commands: HSET HGET HDEL HGETALL HINCRBY HSCAN HRANDFIELD ...
#include <climits>
#include <cmath>
#include <random>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/scan_cursor.h"

namespace strongbox::engine {
namespace {

using state::ValueType;

bool LookupHash(CommandContext& ctx, state::Entry** e) {
  return LookupTyped(ctx, ctx.argv[1], ValueType::kHash, e);
}

void SetField(CommandContext& ctx, std::string_view field, std::string_view value) {
  DropIfExpired(ctx, ctx.argv[1]);
  Apply(ctx, {"HSET", ctx.argv[1], field, value});
}

void Hset(CommandContext& ctx) {
  if (ctx.argv.size() % 2 != 0) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.argv[0]) +
                           "' command");
  }
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) {
    if (e == nullptr || !e->hash()->contains(ctx.argv[i])) ++added;
  }
  DropIfExpired(ctx, ctx.argv[1]);
  std::vector<std::string_view> effect(ctx.argv.begin(), ctx.argv.end());
  effect[0] = "HSET";
  Apply(ctx, effect);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", ctx.argv[1]);
  if (EqualsIgnoreCase(ctx.argv[0], "hmset")) return ctx.reply.SimpleString("OK");
  ctx.reply.Integer(added);
}

void Hsetnx(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e != nullptr && e->hash()->contains(ctx.argv[2])) return ctx.reply.Integer(0);
  SetField(ctx, ctx.argv[2], ctx.argv[3]);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", ctx.argv[1]);
  ctx.reply.Integer(1);
}

void Hget(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.Null();
  auto v = e->hash()->Get(ctx.argv[2]);
  v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
}

void Hmget(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (e == nullptr) {
      ctx.reply.Null();
      continue;
    }
    auto v = e->hash()->Get(ctx.argv[i]);
    v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
  }
}

void Hdel(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  RemoveMembers(ctx, "HDEL", [e](std::string_view m) { return e->hash()->contains(m); });
}

void Hexists(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  ctx.reply.Integer(e != nullptr && e->hash()->contains(ctx.argv[2]) ? 1 : 0);
}

void Hlen(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->hash()->size()) : 0);
}

void Hgetall(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.MapHeader(0);
  ctx.reply.MapHeader(static_cast<int64_t>(e->hash()->size()));
  e->hash()->ForEach([&](std::string_view f, std::string_view v) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  });
}

void Hkeys(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.ArrayHeader(0);
  ctx.reply.ArrayHeader(static_cast<int64_t>(e->hash()->size()));
  e->hash()->ForEach([&](std::string_view f, std::string_view) { ctx.reply.Bulk(f); });
}

void Hvals(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.ArrayHeader(0);
  ctx.reply.ArrayHeader(static_cast<int64_t>(e->hash()->size()));
  e->hash()->ForEach([&](std::string_view, std::string_view v) { ctx.reply.Bulk(v); });
}

void Hincrby(CommandContext& ctx) {
  auto delta = ParseInt(ctx.argv[3]);
  if (!delta) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  int64_t current = 0;
  if (e != nullptr) {
    if (auto field = e->hash()->Get(ctx.argv[2])) {
      auto v = ParseInt(*field);
      if (!v) return ctx.reply.Error("ERR hash value is not an integer");
      current = *v;
    }
  }
  if ((*delta > 0 && current > LLONG_MAX - *delta) ||
      (*delta < 0 && current < LLONG_MIN - *delta)) {
    return ctx.reply.Error(kErrOverflow);
  }
  std::string text = IntToString(current + *delta);
  SetField(ctx, ctx.argv[2], text);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrby", ctx.argv[1]);
  ctx.reply.Integer(current + *delta);
}

void Hincrbyfloat(CommandContext& ctx) {
  auto delta = ParseLongDouble(ctx.argv[3]);
  if (!delta) return ctx.reply.Error(kErrNotFloat);
  if (std::isinf(*delta)) return ctx.reply.Error("ERR value is NaN or Infinity");
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  long double current = 0;
  if (e != nullptr) {
    if (auto field = e->hash()->Get(ctx.argv[2])) {
      auto v = ParseLongDouble(*field);
      if (!v) return ctx.reply.Error("ERR hash value is not a float");
      current = *v;
    }
  }
  long double result = current + *delta;
  if (std::isnan(result) || std::isinf(result)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  std::string text = FormatLongDouble(result);
  SetField(ctx, ctx.argv[2], text);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrbyfloat", ctx.argv[1]);
  ctx.reply.Bulk(text);
}

void Hstrlen(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  auto v = e->hash()->Get(ctx.argv[2]);
  ctx.reply.Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void Hscan(CommandContext& ctx) {
  auto args = ParseScanArgs(ctx, 2, /*allow_type=*/false);
  if (!args) return;
  // Variables, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
  const uint64_t cursor = args->cursor;
  const size_t count = args->count;
  const std::optional<std::string_view> pattern = args->pattern;
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  std::vector<std::pair<std::string_view, std::string_view>> out;
  uint64_t next = 0;
  if (e != nullptr) {
    next = e->hash()->Scan(cursor, count, [&](std::string_view f, std::string_view v) {
      if (!pattern || GlobMatch(*pattern, f)) out.emplace_back(f, v);
    });
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size() * 2));
  for (const auto& [f, v] : out) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

void Hrandfield(CommandContext& ctx) {
  std::optional<int64_t> count;
  bool withvalues = false;
  if (ctx.argv.size() >= 3) {
    count = ParseRandomCount(ctx, ctx.argv[2]);
    if (!count) return;
  }
  if (ctx.argv.size() == 4) {
    if (!EqualsIgnoreCase(ctx.argv[3], "withvalues")) return ctx.reply.Error(kErrSyntax);
    withvalues = true;
    if (!RandomPairsCountOk(ctx, *count)) return;
  } else if (ctx.argv.size() > 4) {
    return ctx.reply.Error(kErrSyntax);
  }
  state::Entry* e;
  if (!LookupHash(ctx, &e)) return;
  static std::mt19937_64 rng{std::random_device{}()};
  if (e == nullptr) return count ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  using Field = std::pair<std::string_view, std::string_view>;
  std::vector<Field> all;
  all.reserve(e->hash()->size());
  e->hash()->ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  if (!count) return ctx.reply.Bulk(all[rng() % all.size()].first);
  if (*count == 0) return ctx.reply.ArrayHeader(0);
  if (!RandomRepeatCountOk(ctx, *count)) return;
  // A positive count picks distinct fields; a negative one picks -count with repeats.
  int64_t n = *count > 0 ? std::min<int64_t>(*count, static_cast<int64_t>(all.size())) : -*count;
  if (*count > 0) std::shuffle(all.begin(), all.end(), rng);
  bool resp3_pairs = withvalues && ctx.reply.protocol_version() >= 3;
  ctx.reply.ArrayHeader(n * (withvalues && !resp3_pairs ? 2 : 1));
  for (int64_t i = 0; i < n; ++i) {
    const auto& [f, v] = *count > 0 ? all[static_cast<size_t>(i)] : all[rng() % all.size()];
    if (resp3_pairs) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(f);
    if (withvalues) ctx.reply.Bulk(v);
  }
}

}  // namespace

void RegisterHashCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"hset", -4, kWrite | kDenyOom | kFast, 1, 1, 1, Hset});
  r.Add({"hmset", -4, kWrite | kDenyOom | kFast, 1, 1, 1, Hset});
  r.Add({"hsetnx", 4, kWrite | kDenyOom | kFast, 1, 1, 1, Hsetnx});
  r.Add({"hget", 3, kReadonly | kFast, 1, 1, 1, Hget});
  r.Add({"hmget", -3, kReadonly | kFast, 1, 1, 1, Hmget});
  r.Add({"hdel", -3, kWrite | kFast, 1, 1, 1, Hdel});
  r.Add({"hexists", 3, kReadonly | kFast, 1, 1, 1, Hexists});
  r.Add({"hlen", 2, kReadonly | kFast, 1, 1, 1, Hlen});
  r.Add({"hgetall", 2, kReadonly, 1, 1, 1, Hgetall});
  r.Add({"hkeys", 2, kReadonly, 1, 1, 1, Hkeys});
  r.Add({"hvals", 2, kReadonly, 1, 1, 1, Hvals});
  r.Add({"hincrby", 4, kWrite | kDenyOom | kFast, 1, 1, 1, Hincrby});
  r.Add({"hincrbyfloat", 4, kWrite | kDenyOom | kFast, 1, 1, 1, Hincrbyfloat});
  r.Add({"hstrlen", 3, kReadonly | kFast, 1, 1, 1, Hstrlen});
  r.Add({"hscan", -3, kReadonly, 1, 1, 1, Hscan});
  r.Add({"hrandfield", -2, kReadonly, 1, 1, 1, Hrandfield});
}

}  // namespace strongbox::engine
