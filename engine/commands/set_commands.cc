// Set commands. Random choices (SPOP, SRANDMEMBER) are made here and SPOP logs the members it
// removed, so replay never draws random numbers.
#include <algorithm>
#include <climits>
#include <random>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/scan_cursor.h"

namespace strongbox::engine {
namespace {

using state::SetValue;
using state::ValueType;

std::mt19937_64& Rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// Where the last small SPOP on a key ended, in hash order. Pops leave empty slots behind them;
// starting the next pick there instead of at begin() keeps a run of SPOPs on one key O(1)
// each rather than a walk over every slot already emptied. A stale hint (another key, a
// member since removed) is simply not used. Only the choice of member depends on it, and the
// choice is logged as SREM, so replay never sees it.
struct PopHint {
  uint8_t db = 0;
  std::string key;
  std::string next_member;
};
PopHint& LastPop() {
  static PopHint hint;
  return hint;
}

// Up to `n` distinct members chosen at random without copying the whole set when `n` is small:
// start at a random offset among the next slots after `start` (hash order is already
// scrambled) and take the next `n`. A whole-set shuffle only when `n` is a large share of the
// set. *resume receives the member after the last one taken (empty at the end).
std::vector<std::string> PickRandom(const SetValue& set, size_t n,
                                    const std::string* start = nullptr,
                                    std::string* resume = nullptr) {
  std::vector<std::string> out;
  if (resume) resume->clear();
  if (n == 0 || set.empty()) return out;
  if (n >= (set.size() + 3) / 4) {  // n * 4 >= size, without overflow for a client's n
    out.assign(set.begin(), set.end());
    std::shuffle(out.begin(), out.end(), Rng());
    out.resize(std::min(n, out.size()));
    return out;
  }
  auto it = set.end();
  if (start != nullptr && !start->empty()) it = set.find(*start);
  if (it == set.end()) it = set.begin();
  size_t skip = Rng()() % 64;
  for (size_t i = 0; i < skip; ++i) {
    if (++it == set.end()) it = set.begin();
  }
  for (; out.size() < n; ++it) {
    if (it == set.end()) it = set.begin();
    out.push_back(*it);
  }
  if (resume && it != set.end()) *resume = *it;
  return out;
}

bool LookupSet(CommandContext& ctx, std::string_view key, state::Entry** e) {
  return LookupTyped(ctx, key, ValueType::kSet, e);
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply.SetHeader(static_cast<int64_t>(members.size()));
  for (const auto& m : members) ctx.reply.Bulk(m);
}

// SINTER/SUNION/SDIFF over argv[first..]; false after a WRONGTYPE reply.
bool Combine(CommandContext& ctx, size_t first, char op, std::vector<std::string>* out) {
  std::vector<const SetValue*> sets;
  for (size_t i = first; i < ctx.argv.size(); ++i) {
    state::Entry* e;
    if (!LookupSet(ctx, ctx.argv[i], &e)) return false;
    sets.push_back(e ? e->set() : nullptr);
  }
  out->clear();
  if (op == 'u') {
    SetValue all;
    for (const auto* s : sets) {
      if (s) all.insert(s->begin(), s->end());
    }
    out->assign(all.begin(), all.end());
  } else if (op == 'i') {
    if (std::any_of(sets.begin(), sets.end(), [](const SetValue* s) { return s == nullptr; })) {
      return true;
    }
    const SetValue* smallest =
        *std::min_element(sets.begin(), sets.end(),
                          [](const auto* a, const auto* b) { return a->size() < b->size(); });
    for (const auto& m : *smallest) {
      if (std::all_of(sets.begin(), sets.end(),
                      [&](const SetValue* s) { return s->contains(m); })) {
        out->push_back(m);
      }
    }
  } else {
    if (sets[0] == nullptr) return true;
    for (const auto& m : *sets[0]) {
      bool elsewhere = false;
      for (size_t i = 1; i < sets.size() && !elsewhere; ++i) {
        elsewhere = sets[i] != nullptr && sets[i]->contains(m);
      }
      if (!elsewhere) out->push_back(m);
    }
  }
  return true;
}

void Store(CommandContext& ctx, char op) {
  std::vector<std::string> result;
  if (!Combine(ctx, 2, op, &result)) return;
  std::string_view dst = ctx.argv[1];
  bool had_dst = CurrentDb(ctx).FindRaw(dst) != nullptr;
  if (had_dst) Apply(ctx, {"DEL", dst});
  if (!result.empty()) {
    NoNewKeyEvent overwrite(ctx, had_dst);
    std::vector<std::string_view> effect{"SADD", dst};
    effect.insert(effect.end(), result.begin(), result.end());
    Apply(ctx, effect);
  }
  NotifyStoreResult(ctx, kNotifySet, dst, !result.empty(), had_dst);
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

void Sadd(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  int64_t added = 0;
  SetValue fresh;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if ((e == nullptr || !e->set()->contains(ctx.argv[i])) && fresh.emplace(ctx.argv[i]).second) {
      ++added;
    }
  }
  DropIfExpired(ctx, ctx.argv[1]);
  std::vector<std::string_view> effect(ctx.argv.begin(), ctx.argv.end());
  effect[0] = "SADD";
  Apply(ctx, effect);
  if (added > 0) NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", ctx.argv[1]);
  ctx.reply.Integer(added);
}

void Srem(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  RemoveMembers(ctx, "SREM", [e](std::string_view m) { return e->set()->contains(m); });
}

void Smembers(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.SetHeader(0);
  ctx.reply.SetHeader(static_cast<int64_t>(e->set()->size()));
  for (const auto& m : *e->set()) ctx.reply.Bulk(m);
}

void Sismember(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e != nullptr && e->set()->contains(ctx.argv[2]) ? 1 : 0);
}

void Smismember(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Integer(e != nullptr && e->set()->contains(ctx.argv[i]) ? 1 : 0);
  }
}

void Scard(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->set()->size()) : 0);
}

void Spop(CommandContext& ctx) {
  std::optional<int64_t> count;
  if (ctx.argv.size() == 3) {
    count = ParseInt(ctx.argv[2]);
    if (!count || *count < 0) {
      return ctx.reply.Error("ERR value is out of range, must be positive");
    }
  } else if (ctx.argv.size() > 3) {
    return ctx.reply.Error(kErrSyntax);
  }
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return count ? ctx.reply.SetHeader(0) : ctx.reply.Null();
  PopHint& hint = LastPop();
  bool same_key = hint.db == ctx.client.db && hint.key == ctx.argv[1];
  std::string resume;
  std::vector<std::string> all = PickRandom(*e->set(), static_cast<size_t>(count.value_or(1)),
                                            same_key ? &hint.next_member : nullptr, &resume);
  hint.db = ctx.client.db;
  hint.key.assign(ctx.argv[1]);
  hint.next_member = std::move(resume);
  if (!all.empty()) {
    std::vector<std::string_view> effect{"SREM", ctx.argv[1]};
    effect.insert(effect.end(), all.begin(), all.end());
    Apply(ctx, effect);
    NotifyElementsRemoved(ctx, kNotifySet, "spop", ctx.argv[1]);
  }
  if (!count) return ctx.reply.Bulk(all[0]);
  ReplyMembers(ctx, all);
}

void Srandmember(CommandContext& ctx) {
  std::optional<int64_t> count;
  if (ctx.argv.size() == 3) {
    count = ParseRandomCount(ctx, ctx.argv[2]);
    if (!count) return;
  } else if (ctx.argv.size() > 3) {
    return ctx.reply.Error(kErrSyntax);
  }
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return count ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  if (!count) return ctx.reply.Bulk(PickRandom(*e->set(), 1)[0]);
  std::vector<std::string> picked;
  if (*count >= 0) {
    picked = PickRandom(*e->set(), static_cast<size_t>(*count));
  } else {
    if (!RandomRepeatCountOk(ctx, *count)) return;
    // One pass over the set, then O(1) per pick: a large count never rescans the set.
    std::vector<std::string_view> members(e->set()->begin(), e->set()->end());
    static std::mt19937_64 rng{std::random_device{}()};
    ctx.reply.ArrayHeader(-*count);
    for (int64_t i = 0; i < -*count; ++i) ctx.reply.Bulk(members[rng() % members.size()]);
    return;
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(picked.size()));
  for (auto m : picked) ctx.reply.Bulk(m);
}

void Smove(CommandContext& ctx) {
  state::Entry *src, *dst;
  if (!LookupSet(ctx, ctx.argv[1], &src) || !LookupSet(ctx, ctx.argv[2], &dst)) return;
  if (src == nullptr || !src->set()->contains(ctx.argv[3])) return ctx.reply.Integer(0);
  if (ctx.argv[1] != ctx.argv[2]) {
    // A member the destination already holds changes only the source (and WATCH on the
    // destination stays clean, as in Redis).
    bool dst_has = dst != nullptr && dst->set()->contains(ctx.argv[3]);
    Apply(ctx, {"SREM", ctx.argv[1], ctx.argv[3]});
    NotifyElementsRemoved(ctx, kNotifySet, "srem", ctx.argv[1]);
    if (!dst_has) {
      DropIfExpired(ctx, ctx.argv[2]);
      Apply(ctx, {"SADD", ctx.argv[2], ctx.argv[3]});
      NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", ctx.argv[2]);
    }
  }
  ctx.reply.Integer(1);
}

void Sinter(CommandContext& ctx) {
  std::vector<std::string> r;
  if (Combine(ctx, 1, 'i', &r)) ReplyMembers(ctx, r);
}
void Sunion(CommandContext& ctx) {
  std::vector<std::string> r;
  if (Combine(ctx, 1, 'u', &r)) ReplyMembers(ctx, r);
}
void Sdiff(CommandContext& ctx) {
  std::vector<std::string> r;
  if (Combine(ctx, 1, 'd', &r)) ReplyMembers(ctx, r);
}
void Sinterstore(CommandContext& ctx) { Store(ctx, 'i'); }
void Sunionstore(CommandContext& ctx) { Store(ctx, 'u'); }
void Sdiffstore(CommandContext& ctx) { Store(ctx, 'd'); }

void Sintercard(CommandContext& ctx) {
  auto numkeys = ParseInt(ctx.argv[1]);
  if (!numkeys || *numkeys <= 0) {
    return ctx.reply.Error("ERR numkeys should be greater than 0");
  }
  if (static_cast<size_t>(*numkeys) > ctx.argv.size() - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  size_t end = 2 + static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  if (end < ctx.argv.size()) {
    if (end + 2 != ctx.argv.size() || !EqualsIgnoreCase(ctx.argv[end], "limit")) {
      return ctx.reply.Error(kErrSyntax);
    }
    auto l = ParseInt(ctx.argv[end + 1]);
    if (!l || *l < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
    limit = *l;
  }
  std::vector<std::string_view> keys(ctx.argv.begin() + 2, ctx.argv.begin() + end);
  std::vector<std::string_view> sub{"sinter"};
  sub.insert(sub.end(), keys.begin(), keys.end());
  CommandContext inner{sub, ctx.client, ctx.state, ctx.reply, ctx.effects, ctx.server, ctx.now_ms};
  std::vector<std::string> r;
  if (!Combine(inner, 1, 'i', &r)) return;
  int64_t n = static_cast<int64_t>(r.size());
  ctx.reply.Integer(limit > 0 ? std::min(n, limit) : n);
}

// Redis keeps a set of up to 512 integers (set-max-intset-entries) as an intset, which SSCAN
// returns whole with cursor 0; checking costs at most 512 parses.
bool RedisWouldUseIntset(const SetValue& set) {
  constexpr size_t kIntsetEntriesMax = 512;
  return set.size() <= kIntsetEntriesMax &&
         std::all_of(set.begin(), set.end(), [](const std::string& m) { return ParseInt(m); });
}

void Sscan(CommandContext& ctx) {
  auto args = ParseScanArgs(ctx, 2, /*allow_type=*/false);
  if (!args) return;
  // Variables, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
  const uint64_t cursor = args->cursor;
  const size_t count = args->count;
  const std::optional<std::string_view> pattern = args->pattern;
  state::Entry* e;
  if (!LookupSet(ctx, ctx.argv[1], &e)) return;
  std::vector<std::string_view> out;
  uint64_t next = 0;
  if (e != nullptr) {
    auto take = [&](std::string_view m) {
      if (!pattern || GlobMatch(*pattern, m)) out.push_back(m);
    };
    if (RedisWouldUseIntset(*e->set())) {
      for (const std::string& m : *e->set()) take(m);
    } else {
      next = e->set()->members().Scan(cursor, count,
                                      [&](const SetValue::Node* n) { take(n->member); });
    }
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (auto m : out) ctx.reply.Bulk(m);
}

}  // namespace

void RegisterSetCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"sadd", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Sadd});
  r.Add({"srem", -3, kWrite | kFast, 1, 1, 1, Srem});
  r.Add({"smembers", 2, kReadonly, 1, 1, 1, Smembers});
  r.Add({"sismember", 3, kReadonly | kFast, 1, 1, 1, Sismember});
  r.Add({"smismember", -3, kReadonly | kFast, 1, 1, 1, Smismember});
  r.Add({"scard", 2, kReadonly | kFast, 1, 1, 1, Scard});
  r.Add({"spop", -2, kWrite | kFast, 1, 1, 1, Spop});
  r.Add({"srandmember", -2, kReadonly, 1, 1, 1, Srandmember});
  r.Add({"smove", 4, kWrite | kFast, 1, 2, 1, Smove});
  r.Add({"sinter", -2, kReadonly, 1, -1, 1, Sinter});
  r.Add({"sunion", -2, kReadonly, 1, -1, 1, Sunion});
  r.Add({"sdiff", -2, kReadonly, 1, -1, 1, Sdiff});
  r.Add({"sinterstore", -3, kWrite | kDenyOom, 1, -1, 1, Sinterstore});
  r.Add({"sunionstore", -3, kWrite | kDenyOom, 1, -1, 1, Sunionstore});
  r.Add({"sdiffstore", -3, kWrite | kDenyOom, 1, -1, 1, Sdiffstore});
  r.Add({"sintercard", -3, kReadonly, 0, 0, 0, Sintercard});
  r.Add({"sscan", -3, kReadonly, 1, 1, 1, Sscan});
}

}  // namespace strongbox::engine
