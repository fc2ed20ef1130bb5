// List commands, including the blocking pops (the server parks a client whose handler filled
// ClientSession::block and re-runs the command when a key it waits on changes).
#include <algorithm>
#include <climits>
#include <optional>
#include <span>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

using state::ValueType;

bool LookupList(CommandContext& ctx, std::string_view key, state::Entry** e) {
  return LookupTyped(ctx, key, ValueType::kList, e);
}

// A blocking pop's source: a re-run for a parked client reads a key of another type as missing
// (it stays blocked, as in Redis); the first run replies WRONGTYPE.
bool LookupBlockingSource(CommandContext& ctx, std::string_view key, state::Entry** e) {
  if (ctx.client.serving_blocked) {
    *e = CurrentDb(ctx).Find(key, ctx.now_ms);
    if (*e != nullptr && (*e)->list() == nullptr) *e = nullptr;
    return true;
  }
  return LookupList(ctx, key, e);
}

void Push(CommandContext& ctx, bool left, bool only_if_exists) {
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (only_if_exists && e == nullptr) return ctx.reply.Integer(0);
  DropIfExpired(ctx, ctx.argv[1]);
  std::vector<std::string_view> effect(ctx.argv.begin(), ctx.argv.end());
  effect[0] = left ? "LPUSH" : "RPUSH";
  Apply(ctx, effect);
  NotifyKeyspaceEvent(ctx, kNotifyList, left ? "lpush" : "rpush", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(CurrentDb(ctx).FindRaw(ctx.argv[1])->list()->size()));
}

// Pops up to `count` elements; returns them (empty if the key is absent).
std::vector<std::string> PopN(CommandContext& ctx, std::string_view key, bool left, int64_t count) {
  std::vector<std::string> out;
  state::Entry* e = CurrentDb(ctx).Find(key, ctx.now_ms);
  if (e == nullptr || e->list() == nullptr) return out;
  state::ListValue& l = *e->list();
  int64_t n = std::min<int64_t>(count, static_cast<int64_t>(l.size()));
  for (int64_t i = 0; i < n; ++i) {
    out.push_back(left ? l[static_cast<size_t>(i)] : l[l.size() - 1 - static_cast<size_t>(i)]);
  }
  std::string n_text = IntToString(n);
  if (n > 0) Apply(ctx, {left ? "LPOP" : "RPOP", key, n_text});
  return out;
}

void Pop(CommandContext& ctx, bool left) {
  if (ctx.argv.size() > 3) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ToLower(ctx.argv[0]) +
                           "' command");
  }
  std::optional<int64_t> count;
  if (ctx.argv.size() == 3) {
    count = ParseInt(ctx.argv[2]);
    if (!count || *count < 0) {
      return ctx.reply.Error("ERR value is out of range, must be positive");
    }
  }
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return count ? ctx.reply.NullArray() : ctx.reply.Null();
  auto items = PopN(ctx, ctx.argv[1], left, count.value_or(1));
  NotifyElementsRemoved(ctx, kNotifyList, left ? "lpop" : "rpop", ctx.argv[1]);
  if (!count) return ctx.reply.Bulk(items[0]);
  ctx.reply.ArrayHeader(static_cast<int64_t>(items.size()));
  for (const auto& i : items) ctx.reply.Bulk(i);
}

// Normalises a Redis index against `n`; false if out of range.
bool Index(int64_t index, size_t n, size_t* out) {
  if (index < 0) index += static_cast<int64_t>(n);
  if (index < 0 || index >= static_cast<int64_t>(n)) return false;
  *out = static_cast<size_t>(index);
  return true;
}

bool ParseSide(std::string_view s, bool* left) {
  if (EqualsIgnoreCase(s, "left")) {
    *left = true;
  } else if (EqualsIgnoreCase(s, "right")) {
    *left = false;
  } else {
    return false;
  }
  return true;
}

// LMOVE core: returns false after an error reply; sets *moved (nullopt = source empty).
bool Move(CommandContext& ctx, std::string_view src, std::string_view dst, bool from_left,
          bool to_left, std::optional<std::string>* moved) {
  state::Entry* s;
  state::Entry* d;
  if (!LookupBlockingSource(ctx, src, &s) || !LookupList(ctx, dst, &d)) return false;
  if (s == nullptr) {
    moved->reset();
    return true;
  }
  auto items = PopN(ctx, src, from_left, 1);
  DropIfExpired(ctx, dst);
  Apply(ctx, {to_left ? "LPUSH" : "RPUSH", dst, items[0]});
  NotifyKeyspaceEvent(ctx, kNotifyList, to_left ? "lpush" : "rpush", dst);  // Redis: push first
  NotifyElementsRemoved(ctx, kNotifyList, from_left ? "lpop" : "rpop", src);
  *moved = items[0];
  return true;
}

// Blocking wait on `keys` (argv positions) unless inside MULTI/EXEC, where Redis answers at
// once with a null.
bool BlockOrNull(CommandContext& ctx, std::span<const std::string_view> keys,
                 std::string_view timeout_arg) {
  int64_t deadline_ms = 0;
  if (!ParseBlockTimeout(ctx, timeout_arg, &deadline_ms)) return false;
  if (ctx.client.in_exec) {
    ctx.reply.NullArray();
    return false;
  }
  ctx.client.block.active = true;
  ctx.client.block.keys.clear();
  for (auto k : keys) ctx.client.block.keys.emplace_back(ctx.client.db, std::string(k));
  ctx.client.block.deadline_ms = deadline_ms;
  return true;
}

void BlockingPop(CommandContext& ctx, bool left) {
  auto keys = ctx.argv.subspan(1, ctx.argv.size() - 2);
  for (auto key : keys) {
    state::Entry* e;
    if (!LookupBlockingSource(ctx, key, &e)) return;
    if (e != nullptr) {
      auto items = PopN(ctx, key, left, 1);
      NotifyElementsRemoved(ctx, kNotifyList, left ? "lpop" : "rpop", key);
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      ctx.reply.Bulk(items[0]);
      return;
    }
  }
  BlockOrNull(ctx, keys, ctx.argv.back());
}

void Lpush(CommandContext& ctx) { Push(ctx, true, false); }
void Rpush(CommandContext& ctx) { Push(ctx, false, false); }
void Lpushx(CommandContext& ctx) { Push(ctx, true, true); }
void Rpushx(CommandContext& ctx) { Push(ctx, false, true); }
void Lpop(CommandContext& ctx) { Pop(ctx, true); }
void Rpop(CommandContext& ctx) { Pop(ctx, false); }

void Llen(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->list()->size()) : 0);
}

void Lrange(CommandContext& ctx) {
  auto start = ParseInt(ctx.argv[2]), stop = ParseInt(ctx.argv[3]);
  if (!start || !stop) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.ArrayHeader(0);
  const auto& l = *e->list();
  int64_t n = static_cast<int64_t>(l.size());
  int64_t a = *start < 0 ? std::max<int64_t>(0, n + *start) : *start;
  int64_t b = *stop < 0 ? n + *stop : std::min(*stop, n - 1);
  if (a > b || a >= n) return ctx.reply.ArrayHeader(0);
  ctx.reply.ArrayHeader(b - a + 1);
  for (int64_t i = a; i <= b; ++i) ctx.reply.Bulk(l[static_cast<size_t>(i)]);
}

void Lindex(CommandContext& ctx) {
  auto index = ParseInt(ctx.argv[2]);
  if (!index) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  size_t i;
  if (e == nullptr || !Index(*index, e->list()->size(), &i)) return ctx.reply.Null();
  ctx.reply.Bulk((*e->list())[i]);
}

void Lset(CommandContext& ctx) {
  auto index = ParseInt(ctx.argv[2]);
  if (!index) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  size_t i;
  if (!Index(*index, e->list()->size(), &i)) return ctx.reply.Error("ERR index out of range");
  std::string at = IntToString(static_cast<int64_t>(i));
  Apply(ctx, {"LSET", ctx.argv[1], at, ctx.argv[3]});
  NotifyKeyspaceEvent(ctx, kNotifyList, "lset", ctx.argv[1]);
  ctx.reply.SimpleString("OK");
}

void Lrem(CommandContext& ctx) {
  auto count = ParseInt(ctx.argv[2]);
  if (!count) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  size_t before = e->list()->size();
  Apply(ctx, {"LREM", ctx.argv[1], ctx.argv[2], ctx.argv[3]});
  state::Entry* after = CurrentDb(ctx).FindRaw(ctx.argv[1]);
  size_t now = after ? after->list()->size() : 0;
  if (now != before) NotifyElementsRemoved(ctx, kNotifyList, "lrem", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(before - now));
}

void Ltrim(CommandContext& ctx) {
  auto start = ParseInt(ctx.argv[2]), stop = ParseInt(ctx.argv[3]);
  if (!start || !stop) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.SimpleString("OK");
  int64_t n = static_cast<int64_t>(e->list()->size());
  int64_t a = *start < 0 ? std::max<int64_t>(0, n + *start) : *start;
  int64_t b = *stop < 0 ? n + *stop : std::min(*stop, n - 1);
  // Logged with absolute bounds so replay does not depend on the list's length.
  std::string a_text = IntToString(a), b_text = IntToString(b < a ? a - 1 : b);
  Apply(ctx, {"LTRIM", ctx.argv[1], a_text, b_text});
  NotifyElementsRemoved(ctx, kNotifyList, "ltrim", ctx.argv[1]);
  ctx.reply.SimpleString("OK");
}

void Linsert(CommandContext& ctx) {
  bool before = EqualsIgnoreCase(ctx.argv[2], "before");
  if (!before && !EqualsIgnoreCase(ctx.argv[2], "after")) return ctx.reply.Error(kErrSyntax);
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  const auto& l = *e->list();
  if (std::find(l.begin(), l.end(), ctx.argv[3]) == l.end()) return ctx.reply.Integer(-1);
  Apply(ctx, {"LINSERT", ctx.argv[1], before ? "BEFORE" : "AFTER", ctx.argv[3], ctx.argv[4]});
  NotifyKeyspaceEvent(ctx, kNotifyList, "linsert", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(CurrentDb(ctx).FindRaw(ctx.argv[1])->list()->size()));
}

void Lpos(CommandContext& ctx) {
  int64_t rank = 1, maxlen = 0;
  std::optional<int64_t> count;
  for (size_t i = 3; i < ctx.argv.size(); i += 2) {
    if (i + 1 >= ctx.argv.size()) return ctx.reply.Error(kErrSyntax);
    auto v = ParseInt(ctx.argv[i + 1]);
    if (!v) return ctx.reply.Error(kErrNotInteger);
    std::string opt = ToLower(ctx.argv[i]);
    if (opt == "rank") {
      if (*v == 0) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
            "... or use negative to start from the end of the list");
      }
      rank = *v;
    } else if (opt == "count") {
      if (*v < 0) return ctx.reply.Error("ERR COUNT can't be negative");
      count = *v;
    } else if (opt == "maxlen") {
      if (*v < 0) return ctx.reply.Error("ERR MAXLEN can't be negative");
      maxlen = *v;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  state::Entry* e;
  if (!LookupList(ctx, ctx.argv[1], &e)) return;
  std::vector<int64_t> found;
  if (e != nullptr) {
    const auto& l = *e->list();
    int64_t n = static_cast<int64_t>(l.size());
    int64_t want = count ? (*count == 0 ? LLONG_MAX : *count) : 1;
    // Redis 7.0 negates RANK LLONG_MIN into itself: from the tail, every match counts and
    // COUNT never stops the search.
    if (rank == LLONG_MIN && count) want = LLONG_MAX;
    int64_t skip = rank == LLONG_MIN ? 0 : (rank > 0 ? rank : -rank) - 1;
    for (int64_t k = 0;
         k < n && (maxlen == 0 || k < maxlen) && static_cast<int64_t>(found.size()) < want; ++k) {
      int64_t i = rank > 0 ? k : n - 1 - k;
      if (l[static_cast<size_t>(i)] == ctx.argv[2]) {
        if (skip > 0) {
          --skip;
        } else {
          found.push_back(i);
        }
      }
    }
  }
  if (!count) return found.empty() ? ctx.reply.Null() : ctx.reply.Integer(found[0]);
  ctx.reply.ArrayHeader(static_cast<int64_t>(found.size()));
  for (int64_t i : found) ctx.reply.Integer(i);
}

void Lmove(CommandContext& ctx) {
  bool from_left, to_left;
  if (!ParseSide(ctx.argv[3], &from_left) || !ParseSide(ctx.argv[4], &to_left)) {
    return ctx.reply.Error(kErrSyntax);
  }
  std::optional<std::string> moved;
  if (!Move(ctx, ctx.argv[1], ctx.argv[2], from_left, to_left, &moved)) return;
  moved ? ctx.reply.Bulk(*moved) : ctx.reply.Null();
}

void Rpoplpush(CommandContext& ctx) {
  std::optional<std::string> moved;
  if (!Move(ctx, ctx.argv[1], ctx.argv[2], false, true, &moved)) return;
  moved ? ctx.reply.Bulk(*moved) : ctx.reply.Null();
}

// Pops from the first non-empty list of `a.keys` and replies [key, [elements]]; false (and
// nothing written) when every list is empty, true after a reply or an error.
bool MpopFirst(CommandContext& ctx, const MpopArgs& a) {
  for (auto key : a.keys) {
    state::Entry* e;
    if (!LookupBlockingSource(ctx, key, &e)) return true;
    if (e == nullptr) continue;
    auto items = PopN(ctx, key, a.first, a.count);
    NotifyElementsRemoved(ctx, kNotifyList, a.first ? "lpop" : "rpop", key);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayHeader(static_cast<int64_t>(items.size()));
    for (const auto& item : items) ctx.reply.Bulk(item);
    return true;
  }
  return false;
}

void Blpop(CommandContext& ctx) { BlockingPop(ctx, true); }
void Brpop(CommandContext& ctx) { BlockingPop(ctx, false); }

void BlockingMove(CommandContext& ctx, std::string_view src, std::string_view dst, bool from_left,
                  bool to_left, std::string_view timeout) {
  std::optional<std::string> moved;
  if (!Move(ctx, src, dst, from_left, to_left, &moved)) return;
  if (moved) return ctx.reply.Bulk(*moved);
  std::string_view keys[] = {src};
  if (BlockOrNull(ctx, keys, timeout)) return;
}

void Blmove(CommandContext& ctx) {
  bool from_left, to_left;
  if (!ParseSide(ctx.argv[3], &from_left) || !ParseSide(ctx.argv[4], &to_left)) {
    return ctx.reply.Error(kErrSyntax);
  }
  BlockingMove(ctx, ctx.argv[1], ctx.argv[2], from_left, to_left, ctx.argv[5]);
}

void Brpoplpush(CommandContext& ctx) {
  BlockingMove(ctx, ctx.argv[1], ctx.argv[2], false, true, ctx.argv[3]);
}

void Lmpop(CommandContext& ctx) {
  auto a = ParseMpopArgs(ctx, 1, "left", "right");
  if (!a) return;
  if (!MpopFirst(ctx, *a)) ctx.reply.NullArray();
}

void Blmpop(CommandContext& ctx) {
  // Redis 7.0 reads the timeout after the other arguments, before looking at any key.
  auto a = ParseMpopArgs(ctx, 2, "left", "right");
  if (!a) return;
  int64_t deadline_ms = 0;
  if (!ParseBlockTimeout(ctx, ctx.argv[1], &deadline_ms)) return;
  if (MpopFirst(ctx, *a)) return;
  BlockOrNull(ctx, a->keys, ctx.argv[1]);
}

}  // namespace

void RegisterListCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"lpush", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Lpush});
  r.Add({"rpush", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Rpush});
  r.Add({"lpushx", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Lpushx});
  r.Add({"rpushx", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Rpushx});
  r.Add({"lpop", -2, kWrite | kFast, 1, 1, 1, Lpop});
  r.Add({"rpop", -2, kWrite | kFast, 1, 1, 1, Rpop});
  r.Add({"llen", 2, kReadonly | kFast, 1, 1, 1, Llen});
  r.Add({"lrange", 4, kReadonly, 1, 1, 1, Lrange});
  r.Add({"lindex", 3, kReadonly, 1, 1, 1, Lindex});
  r.Add({"lset", 4, kWrite | kDenyOom, 1, 1, 1, Lset});
  r.Add({"lrem", 4, kWrite, 1, 1, 1, Lrem});
  r.Add({"ltrim", 4, kWrite, 1, 1, 1, Ltrim});
  r.Add({"linsert", 5, kWrite | kDenyOom, 1, 1, 1, Linsert});
  r.Add({"lpos", -3, kReadonly, 1, 1, 1, Lpos});
  r.Add({"lmove", 5, kWrite | kDenyOom, 1, 2, 1, Lmove});
  r.Add({"rpoplpush", 3, kWrite | kDenyOom, 1, 2, 1, Rpoplpush});
  r.Add({"blpop", -3, kWrite | kMayBlock | kNoScript, 1, -2, 1, Blpop});
  r.Add({"brpop", -3, kWrite | kMayBlock | kNoScript, 1, -2, 1, Brpop});
  r.Add({"blmove", 6, kWrite | kDenyOom | kMayBlock | kNoScript, 1, 2, 1, Blmove});
  r.Add({"brpoplpush", 4, kWrite | kDenyOom | kMayBlock | kNoScript, 1, 2, 1, Brpoplpush});
  r.Add({"lmpop", -4, kWrite, 0, 0, 0, Lmpop});
  r.Add({"blmpop", -5, kWrite | kMayBlock, 0, 0, 0, Blmpop});
}

}  // namespace strongbox::engine
