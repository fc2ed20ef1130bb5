// Generic key commands: DEL EXISTS TYPE RENAME MOVE SWAPDB KEYS SCAN RANDOMKEY and the expiry
// family.
#include <algorithm>
#include <climits>
#include <optional>
#include <random>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/scan_cursor.h"
#include "engine/commands/sort_command.h"

namespace strongbox::engine {
namespace {

void Del(CommandContext& ctx) {
  int64_t removed = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    state::Db& db = CurrentDb(ctx);
    bool live = db.Find(ctx.argv[i], ctx.now_ms) != nullptr;
    if (db.FindRaw(ctx.argv[i]) == nullptr) continue;
    Apply(ctx, {"DEL", ctx.argv[i]});
    NotifyKeyspaceEvent(ctx, live ? kNotifyGeneric : kNotifyExpired, live ? "del" : "expired",
                        ctx.argv[i]);
    removed += live ? 1 : 0;
  }
  ctx.reply.Integer(removed);
}

// EXISTS and TOUCH: how many of the keys named exist, a key named twice counted twice (the
// lookup stamps each key's access time, which is all TOUCH is for).
void Exists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    if (LookupRead(ctx, ctx.argv[i]) != nullptr) ++n;
  }
  ctx.reply.Integer(n);
}

void Type(CommandContext& ctx) {
  const state::Entry* e = LookupRead(ctx, ctx.argv[1]);
  ctx.reply.SimpleString(e ? state::TypeName(e->type()) : "none");
}

void RenameImpl(CommandContext& ctx, bool nx) {
  state::Db& db = CurrentDb(ctx);
  if (db.Find(ctx.argv[1], ctx.now_ms) == nullptr) return ctx.reply.Error("ERR no such key");
  if (nx && db.Find(ctx.argv[2], ctx.now_ms) != nullptr) return ctx.reply.Integer(0);
  Apply(ctx, {"RENAME", ctx.argv[1], ctx.argv[2]});
  if (ctx.argv[1] != ctx.argv[2]) {  // Redis renames a key onto itself silently
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_from", ctx.argv[1]);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_to", ctx.argv[2]);
  }
  nx ? ctx.reply.Integer(1) : ctx.reply.SimpleString("OK");
}
void Rename(CommandContext& ctx) { RenameImpl(ctx, false); }
void Renamenx(CommandContext& ctx) { RenameImpl(ctx, true); }

// Redis's getIntFromObjectOrReply: a 32-bit int; with `error` set, any failure replies it.
std::optional<int64_t> ParseDbIndex(CommandContext& ctx, std::string_view arg,
                                    std::string_view error) {
  if (error.empty()) return ParseIntInRange(ctx, arg, INT_MIN, INT_MAX);
  auto v = ParseInt(arg);
  if (!v || *v < INT_MIN || *v > INT_MAX) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return v;
}

bool DbIndexOk(int64_t index) { return index >= 0 && index < state::kDatabaseCount; }

// MOVE key db: logged as a COPY into the other database and a DEL of the source, so replay
// rebuilds the same value and expiry there.
void Move(CommandContext& ctx) {
  auto db = ParseDbIndex(ctx, ctx.argv[2], "");
  if (!db) return;
  if (!DbIndexOk(*db)) return ctx.reply.Error("ERR DB index is out of range");
  if (*db == ctx.client.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  if (CurrentDb(ctx).Find(ctx.argv[1], ctx.now_ms) == nullptr) return ctx.reply.Integer(0);
  state::Db& target = ctx.state.db(static_cast<int>(*db));
  if (target.Find(ctx.argv[1], ctx.now_ms) != nullptr) return ctx.reply.Integer(0);
  std::string db_text = IntToString(*db);
  Apply(ctx, {"COPY", ctx.argv[1], db_text, ctx.argv[1]});
  Apply(ctx, {"DEL", ctx.argv[1]});
  ctx.reply.Integer(1);
}

void Swapdb(CommandContext& ctx) {
  auto a = ParseDbIndex(ctx, ctx.argv[1], "ERR invalid first DB index");
  if (!a) return;
  auto b = ParseDbIndex(ctx, ctx.argv[2], "ERR invalid second DB index");
  if (!b) return;
  if (!DbIndexOk(*a) || !DbIndexOk(*b)) return ctx.reply.Error("ERR DB index is out of range");
  if (*a != *b) {
    std::string a_text = IntToString(*a), b_text = IntToString(*b);
    Apply(ctx, {"SWAPDB", a_text, b_text});  // touches every key: wakes and dirties both dbs
  }
  ctx.reply.SimpleString("OK");
}

void Keys(CommandContext& ctx) {
  std::vector<std::string_view> out;
  bool all = ctx.argv[1] == "*";
  for (const state::Entry* entry : CurrentDb(ctx).table()) {
    if (entry->expired(ctx.now_ms)) continue;
    if (all || GlobMatch(ctx.argv[1], entry->key())) out.push_back(entry->key());
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (std::string_view k : out) ctx.reply.Bulk(k);
}

void Scan(CommandContext& ctx) {
  auto args = ParseScanArgs(ctx, 1, /*allow_type=*/true);
  if (!args) return;
  // Variables, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
  const uint64_t cursor = args->cursor;
  const size_t count = args->count;
  const auto& pattern = args->pattern;
  const auto& type = args->type;
  std::vector<std::string_view> keys;
  // Filters apply after the walk, as in Redis: COUNT bounds the buckets looked at, not the
  // keys that match.
  uint64_t next = CurrentDb(ctx).table().Scan(cursor, count, [&](const state::Entry* e) {
    if (e->expired(ctx.now_ms)) return;
    if (pattern && !GlobMatch(*pattern, e->key())) return;
    if (type && state::TypeName(e->type()) != *type) return;
    keys.push_back(e->key());
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

void Randomkey(CommandContext& ctx) {
  const state::KeyTable& table = CurrentDb(ctx).table();
  if (table.empty()) return ctx.reply.Null();
  // Random picks first (cheap), then a linear pass so a db of mostly expired keys still
  // answers correctly.
  static std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 0; attempt < 16; ++attempt) {
    const state::Entry* e = table.RandomEntry(rng);
    if (!e->expired(ctx.now_ms)) return ctx.reply.Bulk(e->key());
  }
  for (const state::Entry* e : table) {
    if (!e->expired(ctx.now_ms)) return ctx.reply.Bulk(e->key());
  }
  ctx.reply.Null();
}

// EXPIRE family: NX XX GT LT; a time in the past deletes the key (logged as DEL).
void ExpireImpl(CommandContext& ctx, int64_t unit_ms, bool absolute) {
  auto v = ParseInt(ctx.argv[2]);
  if (!v) return ctx.reply.Error(kErrNotInteger);
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    std::string opt = ToLower(ctx.argv[i]);
    if (opt == "nx") {
      nx = true;
    } else if (opt == "xx") {
      xx = true;
    } else if (opt == "gt") {
      gt = true;
    } else if (opt == "lt") {
      lt = true;
    } else {
      return ctx.reply.Error("ERR Unsupported option " + std::string(ctx.argv[i]));
    }
  }
  if (nx && (xx || gt || lt)) {
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) {
    return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  }
  int64_t when = *v;
  if (when > LLONG_MAX / unit_ms || when < LLONG_MIN / unit_ms) {
    return ctx.reply.Error("ERR invalid expire time in '" + ToLower(ctx.argv[0]) + "' command");
  }
  when *= unit_ms;
  if (!absolute) {
    if ((when > 0 && ctx.now_ms > LLONG_MAX - when)) {
      return ctx.reply.Error("ERR invalid expire time in '" + ToLower(ctx.argv[0]) + "' command");
    }
    when += ctx.now_ms;
  }
  state::Entry* e = CurrentDb(ctx).Find(ctx.argv[1], ctx.now_ms);
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t current = e->expire_at_ms();  // 0 = persistent = infinite for GT/LT
  if (nx && current != 0) return ctx.reply.Integer(0);
  if (xx && current == 0) return ctx.reply.Integer(0);
  if (gt && (current == 0 || when <= current)) return ctx.reply.Integer(0);
  if (lt && current != 0 && when >= current) return ctx.reply.Integer(0);
  if (when <= ctx.now_ms) {
    Apply(ctx, {"DEL", ctx.argv[1]});
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.argv[1]);
  } else {
    std::string at = IntToString(when);
    Apply(ctx, {"PEXPIREAT", ctx.argv[1], at});
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", ctx.argv[1]);
  }
  ctx.reply.Integer(1);
}

void TtlImpl(CommandContext& ctx, int64_t unit_ms, bool absolute) {
  const state::Entry* e = LookupRead(ctx, ctx.argv[1]);
  if (e == nullptr) return ctx.reply.Integer(-2);
  if (e->expire_at_ms() == 0) return ctx.reply.Integer(-1);
  if (absolute) return ctx.reply.Integer(e->expire_at_ms() / unit_ms);
  int64_t left = e->expire_at_ms() - ctx.now_ms;
  ctx.reply.Integer(unit_ms == 1 ? left : (left + 500) / 1000);
}

void Expire(CommandContext& ctx) { ExpireImpl(ctx, 1000, false); }
void Pexpire(CommandContext& ctx) { ExpireImpl(ctx, 1, false); }
void Expireat(CommandContext& ctx) { ExpireImpl(ctx, 1000, true); }
void Pexpireat(CommandContext& ctx) { ExpireImpl(ctx, 1, true); }
void Ttl(CommandContext& ctx) { TtlImpl(ctx, 1000, false); }
void Pttl(CommandContext& ctx) { TtlImpl(ctx, 1, false); }
void Expiretime(CommandContext& ctx) { TtlImpl(ctx, 1000, true); }
void Pexpiretime(CommandContext& ctx) { TtlImpl(ctx, 1, true); }

void Persist(CommandContext& ctx) {
  state::Entry* e = CurrentDb(ctx).Find(ctx.argv[1], ctx.now_ms);
  if (e == nullptr || e->expire_at_ms() == 0) return ctx.reply.Integer(0);
  Apply(ctx, {"PERSIST", ctx.argv[1]});
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "persist", ctx.argv[1]);
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterKeyCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"del", -2, kWrite, 1, -1, 1, Del});
  r.Add({"unlink", -2, kWrite | kFast, 1, -1, 1, Del});
  r.Add({"exists", -2, kReadonly | kFast, 1, -1, 1, Exists});
  r.Add({"touch", -2, kReadonly | kFast, 1, -1, 1, Exists});
  r.Add({"type", 2, kReadonly | kFast, 1, 1, 1, Type});
  r.Add({"rename", 3, kWrite, 1, 2, 1, Rename});
  r.Add({"renamenx", 3, kWrite | kFast, 1, 2, 1, Renamenx});
  r.Add({"move", 3, kWrite | kFast, 1, 1, 1, Move});
  r.Add({"swapdb", 3, kWrite | kFast, 0, 0, 0, Swapdb});
  r.Add({"keys", 2, kReadonly, 0, 0, 0, Keys});
  r.Add({"scan", -2, kReadonly, 0, 0, 0, Scan});
  r.Add({"randomkey", 1, kReadonly, 0, 0, 0, Randomkey});
  r.Add({"expire", -3, kWrite | kFast, 1, 1, 1, Expire});
  r.Add({"pexpire", -3, kWrite | kFast, 1, 1, 1, Pexpire});
  r.Add({"expireat", -3, kWrite | kFast, 1, 1, 1, Expireat});
  r.Add({"pexpireat", -3, kWrite | kFast, 1, 1, 1, Pexpireat});
  r.Add({"ttl", 2, kReadonly | kFast, 1, 1, 1, Ttl});
  r.Add({"pttl", 2, kReadonly | kFast, 1, 1, 1, Pttl});
  r.Add({"expiretime", 2, kReadonly | kFast, 1, 1, 1, Expiretime});
  r.Add({"pexpiretime", 2, kReadonly | kFast, 1, 1, 1, Pexpiretime});
  r.Add({"persist", 2, kWrite | kFast, 1, 1, 1, Persist});
  RegisterSortCommands(r);
}

}  // namespace strongbox::engine
