// Sorted-set commands. Scores are logged as absolute values in %.17g (so replay is exact);
// pops and range removals are logged as ZREM of the members they removed.
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/scan_cursor.h"

namespace strongbox::engine {
namespace {

using state::ValueType;
using state::ZSetValue;
using Item = std::pair<double, std::string>;

bool LookupZ(CommandContext& ctx, std::string_view key, state::Entry** e) {
  return LookupTyped(ctx, key, ValueType::kZSet, e);
}

std::optional<double> ParseScore(std::string_view s) {
  if (EqualsIgnoreCase(s, "+inf") || EqualsIgnoreCase(s, "inf")) return HUGE_VAL;
  if (EqualsIgnoreCase(s, "-inf")) return -HUGE_VAL;
  return ParseDouble(s);
}

struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
std::optional<ScoreBound> ParseBound(std::string_view s) {
  ScoreBound b;
  if (!s.empty() && s[0] == '(') {
    b.exclusive = true;
    s.remove_prefix(1);
  }
  auto v = ParseScore(s);
  if (!v) return std::nullopt;
  b.value = *v;
  return b;
}
bool AboveMin(double v, const ScoreBound& min) {
  return min.exclusive ? v > min.value : v >= min.value;
}
bool BelowMax(double v, const ScoreBound& max) {
  return max.exclusive ? v < max.value : v <= max.value;
}

struct LexBound {
  std::string value;
  int kind = 0;  // -1 = "-", +1 = "+", 0 = bounded
  bool exclusive = false;
};
std::optional<LexBound> ParseLex(std::string_view s) {
  LexBound b;
  if (s == "-") {
    b.kind = -1;
  } else if (s == "+") {
    b.kind = 1;
  } else if (!s.empty() && (s[0] == '(' || s[0] == '[')) {
    b.exclusive = s[0] == '(';
    b.value = std::string(s.substr(1));
  } else {
    return std::nullopt;
  }
  return b;
}
bool LexAboveMin(std::string_view m, const LexBound& min) {
  if (min.kind != 0) return min.kind < 0;
  return min.exclusive ? m > min.value : m >= min.value;
}
bool LexBelowMax(std::string_view m, const LexBound& max) {
  if (max.kind != 0) return max.kind > 0;
  return max.exclusive ? m < max.value : m <= max.value;
}

void ReplyScored(CommandContext& ctx, const std::vector<Item>& items, bool withscores) {
  bool pairs = withscores && ctx.reply.protocol_version() >= 3;
  ctx.reply.ArrayHeader(static_cast<int64_t>(items.size() * (withscores && !pairs ? 2 : 1)));
  for (const auto& [score, member] : items) {
    if (pairs) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(member);
    if (withscores) ctx.reply.Double(score);
  }
}

void RemoveMembers(CommandContext& ctx, std::string_view key, const std::vector<Item>& items,
                   std::string_view event) {
  if (items.empty()) return;
  std::vector<std::string_view> effect{"ZREM", key};
  for (const auto& it : items) effect.push_back(it.second);
  Apply(ctx, effect);
  NotifyElementsRemoved(ctx, kNotifyZset, event, key);
}

// Ranks [start, stop] (Redis semantics, negative from the end) of the ordered items.
std::vector<Item> ByRank(const ZSetValue& z, int64_t start, int64_t stop, bool rev) {
  int64_t n = static_cast<int64_t>(z.size());
  if (start < 0) start = std::max<int64_t>(0, n + start);
  if (stop < 0) stop = n + stop;
  stop = std::min(stop, n - 1);
  std::vector<Item> out;
  if (start > stop || start >= n) return out;
  out.reserve(static_cast<size_t>(stop - start + 1));
  z.WalkFromRank(static_cast<size_t>(start), rev, [&](double score, std::string_view member) {
    out.emplace_back(score, member);
    return static_cast<int64_t>(out.size()) <= stop - start;
  });
  return out;
}

std::vector<Item> ByScore(const ZSetValue& z, const ScoreBound& min, const ScoreBound& max,
                          bool rev, int64_t offset, int64_t count) {
  std::vector<Item> out;
  int64_t skipped = 0;
  auto take = [&](double score, std::string_view member) {
    if (!rev && !BelowMax(score, max)) return false;  // ascending: past the range
    if (!AboveMin(score, min) || !BelowMax(score, max)) return true;
    if (skipped < offset) {
      ++skipped;
      return true;
    }
    if (count >= 0 && static_cast<int64_t>(out.size()) >= count) return false;
    out.emplace_back(score, member);
    return true;
  };
  if (rev) {
    z.Walk(true, take);
  } else {
    z.WalkFrom(min.value, take);
  }
  return out;
}

std::vector<Item> ByLex(const ZSetValue& z, const LexBound& min, const LexBound& max, bool rev,
                        int64_t offset, int64_t count) {
  std::vector<Item> all;
  z.Walk(false, [&](double score, std::string_view member) {
    if (LexAboveMin(member, min) && LexBelowMax(member, max)) all.emplace_back(score, member);
    return true;
  });
  if (rev) std::reverse(all.begin(), all.end());
  std::vector<Item> out;
  for (int64_t i = offset; i < static_cast<int64_t>(all.size()); ++i) {
    if (count >= 0 && static_cast<int64_t>(out.size()) >= count) break;
    out.push_back(all[static_cast<size_t>(i)]);
  }
  return out;
}

// ZRANGE-like options after the range (WITHSCORES, LIMIT) and the items in range. `mode`: 0 rank,
// 1 score, 2 lex. Returns false after an error reply.
bool RangeItems(CommandContext& ctx, std::string_view key, std::span<const std::string_view> opts,
                int mode, bool rev, std::string_view a, std::string_view b, bool allow_withscores,
                bool* withscores, std::vector<Item>* items) {
  int64_t offset = 0, count = -1;
  bool limit = false;
  *withscores = false;
  for (size_t i = 0; i < opts.size(); ++i) {
    std::string o = ToLower(opts[i]);
    if (o == "withscores" && mode != 2 && allow_withscores) {
      *withscores = true;
    } else if (o == "limit" && i + 2 < opts.size()) {
      auto off = ParseInt(opts[i + 1]), cnt = ParseInt(opts[i + 2]);
      if (!off || !cnt) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      offset = *off;
      count = *cnt;
      limit = true;
      i += 2;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (limit && mode == 0) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
        "BYLEX");
    return false;
  }
  state::Entry* e;
  if (!LookupZ(ctx, key, &e)) return false;
  if (mode == 0) {
    auto start = ParseInt(a), stop = ParseInt(b);
    if (!start || !stop) {
      ctx.reply.Error(kErrNotInteger);
      return false;
    }
    if (e) *items = ByRank(*e->zset(), *start, *stop, rev);
  } else if (mode == 1) {
    auto min = ParseBound(rev ? b : a), max = ParseBound(rev ? a : b);
    if (!min || !max) {
      ctx.reply.Error("ERR min or max is not a float");
      return false;
    }
    if (e && offset >= 0) *items = ByScore(*e->zset(), *min, *max, rev, offset, count);
  } else {
    auto min = ParseLex(rev ? b : a), max = ParseLex(rev ? a : b);
    if (!min || !max) {
      ctx.reply.Error("ERR min or max not valid string range item");
      return false;
    }
    if (e && offset >= 0) *items = ByLex(*e->zset(), *min, *max, rev, offset, count);
  }
  return true;
}

// The older range commands: ZRANGE... key a b [options] with a fixed mode.
void RangeGeneric(CommandContext& ctx, size_t opts_from, int mode, bool rev, std::string_view a,
                  std::string_view b) {
  bool withscores = false;
  std::vector<Item> items;
  if (!RangeItems(ctx, ctx.argv[1], ctx.argv.subspan(opts_from), mode, rev, a, b, true, &withscores,
                  &items)) {
    return;
  }
  ReplyScored(ctx, items, withscores);
}

// ZRANGE/ZRANGESTORE: BYSCORE, BYLEX and REV may appear anywhere among the options.
struct ZrangeFlags {
  int mode = 0;
  bool rev = false;
  std::vector<std::string_view> rest;
};
ZrangeFlags ParseZrangeFlags(std::span<const std::string_view> opts) {
  ZrangeFlags f;
  for (auto o : opts) {
    if (EqualsIgnoreCase(o, "byscore")) {
      f.mode = 1;
    } else if (EqualsIgnoreCase(o, "bylex")) {
      f.mode = 2;
    } else if (EqualsIgnoreCase(o, "rev")) {
      f.rev = true;
    } else {
      f.rest.push_back(o);
    }
  }
  return f;
}

// Replaces `dst` with the sorted set `items` (a DEL and a ZADD of absolute scores; an empty
// result leaves no key, as in Redis) and replies with its size.
void StoreScored(CommandContext& ctx, std::string_view dst, const std::vector<Item>& items) {
  bool had_dst = CurrentDb(ctx).FindRaw(dst) != nullptr;
  if (had_dst) Apply(ctx, {"DEL", dst});
  if (!items.empty()) {
    NoNewKeyEvent overwrite(ctx, had_dst);
    std::vector<std::string> texts;
    texts.reserve(items.size());
    std::vector<std::string_view> effect{"ZADD", dst};
    effect.reserve(2 + items.size() * 2);
    for (const auto& [score, member] : items) {
      texts.push_back(RespWriter::FormatDouble(score));
      effect.push_back(texts.back());
      effect.push_back(member);
    }
    Apply(ctx, effect);
  }
  NotifyStoreResult(ctx, kNotifyZset, dst, !items.empty(), had_dst);
  ctx.reply.Integer(static_cast<int64_t>(items.size()));
}

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

using ScoreMap = absl::flat_hash_map<std::string, double, state::KeyHash, state::KeyEq>;

// One input of ZUNION/ZINTER/ZDIFF: a sorted set, or a set whose members score 1 (as in Redis).
struct SetOpInput {
  const state::Entry* entry = nullptr;  // nullptr: missing key (an empty input)
  double weight = 1;
  size_t size() const {
    if (entry == nullptr) return 0;
    return entry->zset() ? entry->zset()->size() : entry->set()->size();
  }
  template <typename F>
  void ForEach(F f) const {
    if (entry == nullptr) return;
    if (const auto* z = entry->zset()) {
      z->Walk(false, [&](double score, std::string_view member) {
        f(member, score);
        return true;
      });
    } else {
      for (const auto& member : *entry->set()) f(std::string_view(member), 1.0);
    }
  }
  std::optional<double> Score(std::string_view member) const {
    if (entry == nullptr) return std::nullopt;
    if (const auto* z = entry->zset()) return z->Score(member);
    return entry->set()->contains(member) ? std::optional<double>(1.0) : std::nullopt;
  }
};

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;  // 0 * inf: Redis counts it as 0
}

void Combine(Aggregate agg, double v, double* target) {
  if (agg == Aggregate::kSum) {
    *target += v;
    if (std::isnan(*target)) *target = 0;  // inf + -inf
  } else if (agg == Aggregate::kMin) {
    *target = std::min(*target, v);
  } else {
    *target = std::max(*target, v);
  }
}

// Parses "numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]" from
// argv[numkeys_index] with Redis's errors and computes the result ordered by (score, member).
// Returns false after an error reply.
// With `limit` set (ZINTERCARD), only LIMIT n is accepted after the keys.
bool ComputeSetOp(CommandContext& ctx, size_t numkeys_index, SetOp op, bool allow_withscores,
                  bool* withscores, std::vector<Item>* out, int64_t* limit = nullptr) {
  auto numkeys = ParseInt(ctx.argv[numkeys_index]);
  if (!numkeys) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  if (*numkeys < 1) {
    ctx.reply.Error(absl::StrCat("ERR at least 1 input key is needed for '", ToLower(ctx.argv[0]),
                                 "' command"));
    return false;
  }
  size_t first = numkeys_index + 1;
  if (*numkeys > static_cast<int64_t>(ctx.argv.size() - first)) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  size_t n = static_cast<size_t>(*numkeys);
  std::vector<SetOpInput> inputs(n);
  state::Db& db = CurrentDb(ctx);
  for (size_t i = 0; i < n; ++i) {
    const state::Entry* e = db.Find(ctx.argv[first + i], ctx.now_ms);
    if (e != nullptr && e->zset() == nullptr && e->set() == nullptr) {
      ctx.reply.Error(kErrWrongType);
      return false;
    }
    inputs[i].entry = e;
  }
  Aggregate agg = Aggregate::kSum;
  *withscores = false;
  for (size_t i = first + n; i < ctx.argv.size(); ++i) {
    size_t remaining = ctx.argv.size() - i;
    if (limit != nullptr) {
      if (remaining < 2 || !EqualsIgnoreCase(ctx.argv[i], "limit")) {
        ctx.reply.Error(kErrSyntax);
        return false;
      }
      auto v = ParseInt(ctx.argv[i + 1]);
      if (!v || *v < 0) {
        ctx.reply.Error("ERR LIMIT can't be negative");
        return false;
      }
      *limit = *v;
      ++i;
    } else if (op != SetOp::kDiff && remaining >= n + 1 &&
               EqualsIgnoreCase(ctx.argv[i], "weights")) {
      for (size_t j = 0; j < n; ++j) {
        auto w = ParseScore(ctx.argv[i + 1 + j]);
        if (!w) {
          ctx.reply.Error("ERR weight value is not a float");
          return false;
        }
        inputs[j].weight = *w;
      }
      i += n;
    } else if (op != SetOp::kDiff && remaining >= 2 && EqualsIgnoreCase(ctx.argv[i], "aggregate")) {
      std::string_view a = ctx.argv[i + 1];
      if (EqualsIgnoreCase(a, "sum")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        agg = Aggregate::kMax;
      } else {
        ctx.reply.Error(kErrSyntax);
        return false;
      }
      ++i;
    } else if (allow_withscores && EqualsIgnoreCase(ctx.argv[i], "withscores")) {
      *withscores = true;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  ScoreMap result;
  if (op == SetOp::kDiff) {
    inputs[0].ForEach([&](std::string_view member, double score) {
      for (size_t j = 1; j < n; ++j) {
        if (inputs[j].Score(member)) return;
      }
      result.emplace(member, score);
    });
  } else {
    // Smallest inputs first, as Redis does (an intersection walks only the smallest).
    std::stable_sort(inputs.begin(), inputs.end(),
                     [](const SetOpInput& a, const SetOpInput& b) { return a.size() < b.size(); });
    if (op == SetOp::kInter) {
      if (inputs[0].size() > 0) {
        inputs[0].ForEach([&](std::string_view member, double score) {
          double acc = Weighted(score, inputs[0].weight);
          for (size_t j = 1; j < n; ++j) {
            auto other = inputs[j].Score(member);
            if (!other) return;
            Combine(agg, Weighted(*other, inputs[j].weight), &acc);
          }
          result.emplace(member, acc);
        });
      }
    } else {
      for (const SetOpInput& in : inputs) {
        in.ForEach([&](std::string_view member, double score) {
          double v = Weighted(score, in.weight);
          auto [it, inserted] = result.try_emplace(member, v);
          if (!inserted) Combine(agg, v, &it->second);
        });
      }
    }
  }
  out->clear();
  out->reserve(result.size());
  for (auto& [member, score] : result) out->emplace_back(score, member);
  std::sort(out->begin(), out->end());
  return true;
}

void SetOpCommand(CommandContext& ctx, SetOp op) {
  bool withscores = false;
  std::vector<Item> items;
  if (!ComputeSetOp(ctx, 1, op, true, &withscores, &items)) return;
  ReplyScored(ctx, items, withscores);
}

void SetOpStore(CommandContext& ctx, SetOp op) {
  bool withscores = false;
  std::vector<Item> items;
  if (!ComputeSetOp(ctx, 2, op, false, &withscores, &items)) return;
  StoreScored(ctx, ctx.argv[1], items);
}

void Zintercard(CommandContext& ctx) {
  bool withscores = false;
  int64_t limit = 0;  // 0: no limit
  std::vector<Item> items;
  if (!ComputeSetOp(ctx, 1, SetOp::kInter, false, &withscores, &items, &limit)) return;
  int64_t card = static_cast<int64_t>(items.size());
  ctx.reply.Integer(limit > 0 ? std::min(card, limit) : card);
}

// ZMPOP/BZMPOP: pops from the first non-empty sorted set of `a.keys` and replies
// [key, [[member, score], ...]]; false (nothing written) when every key is missing, true after
// a reply or an error. A re-run for a parked client skips keys of another type (Redis serves a
// woken client only from a key that holds a sorted set).
bool MpopFirst(CommandContext& ctx, const MpopArgs& a) {
  for (auto key : a.keys) {
    state::Entry* e = CurrentDb(ctx).Find(key, ctx.now_ms);
    if (e == nullptr) continue;
    if (e->zset() == nullptr) {
      if (ctx.client.serving_blocked) continue;
      ctx.reply.Error(kErrWrongType);
      return true;
    }
    auto items = ByRank(*e->zset(), 0, a.count - 1, !a.first);
    RemoveMembers(ctx, key, items, a.first ? "zpopmin" : "zpopmax");
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayHeader(static_cast<int64_t>(items.size()));
    for (const auto& [score, member] : items) {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(member);
      ctx.reply.Double(score);
    }
    return true;
  }
  return false;
}

void Zmpop(CommandContext& ctx) {
  auto a = ParseMpopArgs(ctx, 1, "min", "max");
  if (!a) return;
  if (!MpopFirst(ctx, *a)) ctx.reply.NullArray();
}

// Parks the client on `keys` (the caller found them all empty), or answers a null array inside
// MULTI/EXEC, where Redis never blocks.
void BlockOn(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms) {
  if (ctx.client.in_exec) return ctx.reply.NullArray();
  ctx.client.block.active = true;
  ctx.client.block.keys.clear();
  for (auto key : keys) ctx.client.block.keys.emplace_back(ctx.client.db, std::string(key));
  ctx.client.block.deadline_ms = deadline_ms;
}

void Bzmpop(CommandContext& ctx) {
  // Redis 7.0 reads the timeout after the other arguments, before looking at any key.
  auto a = ParseMpopArgs(ctx, 2, "min", "max");
  if (!a) return;
  int64_t deadline_ms = 0;
  if (!ParseBlockTimeout(ctx, ctx.argv[1], &deadline_ms)) return;
  if (!MpopFirst(ctx, *a)) BlockOn(ctx, a->keys, deadline_ms);
}

void PopImpl(CommandContext& ctx, bool min) {
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
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  std::vector<Item> items;
  // A count of 0 pops nothing (ByRank's stop -1 would mean the whole set).
  if (e && count.value_or(1) > 0) items = ByRank(*e->zset(), 0, count.value_or(1) - 1, !min);
  RemoveMembers(ctx, ctx.argv[1], items, min ? "zpopmin" : "zpopmax");
  if (count && ctx.reply.protocol_version() >= 3) return ReplyScored(ctx, items, true);
  ctx.reply.ArrayHeader(static_cast<int64_t>(items.size() * 2));
  for (const auto& [score, member] : items) {
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
  }
}

void BlockingPopImpl(CommandContext& ctx, bool min) {
  int64_t deadline_ms = 0;
  if (!ParseBlockTimeout(ctx, ctx.argv.back(), &deadline_ms)) return;
  auto keys = ctx.argv.subspan(1, ctx.argv.size() - 2);
  for (size_t i = 1; i + 1 < ctx.argv.size(); ++i) {
    state::Entry* e = CurrentDb(ctx).Find(ctx.argv[i], ctx.now_ms);
    if (e == nullptr || (e->zset() == nullptr && ctx.client.serving_blocked)) continue;
    if (e->zset() == nullptr) return ctx.reply.Error(kErrWrongType);
    auto items = ByRank(*e->zset(), 0, 0, !min);
    RemoveMembers(ctx, ctx.argv[i], items, min ? "zpopmin" : "zpopmax");
    ctx.reply.ArrayHeader(3);
    ctx.reply.Bulk(ctx.argv[i]);
    ctx.reply.Bulk(items[0].second);
    ctx.reply.Double(items[0].first);
    return;
  }
  BlockOn(ctx, keys, deadline_ms);
}

void Zadd(CommandContext& ctx) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < ctx.argv.size(); ++i) {
    std::string o = ToLower(ctx.argv[i]);
    if (o == "nx")
      nx = true;
    else if (o == "xx")
      xx = true;
    else if (o == "gt")
      gt = true;
    else if (o == "lt")
      lt = true;
    else if (o == "ch")
      ch = true;
    else if (o == "incr")
      incr = true;
    else
      break;
  }
  size_t pairs_n = ctx.argv.size() - i;
  if (pairs_n == 0 || pairs_n % 2 != 0) return ctx.reply.Error(kErrSyntax);
  if (nx && xx) {
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && pairs_n != 2) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<std::pair<double, std::string_view>> pairs;
  for (size_t j = i; j + 1 < ctx.argv.size(); j += 2) {
    auto score = ParseScore(ctx.argv[j]);
    if (!score) return ctx.reply.Error(kErrNotFloat);
    pairs.emplace_back(*score, ctx.argv[j + 1]);
  }
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  int64_t added = 0, changed = 0;
  std::vector<std::string> texts;
  std::vector<std::string_view> effect{"ZADD", ctx.argv[1]};
  std::optional<double> incr_result;
  texts.reserve(pairs.size());
  for (auto [score, member] : pairs) {
    std::optional<double> current;
    if (e) current = e->zset()->Score(member);
    if ((nx && current) || (xx && !current)) continue;
    double next = score;
    if (incr) {
      next = (current ? *current : 0) + score;
      if (std::isnan(next)) return ctx.reply.Error("ERR resulting score is not a number (NaN)");
    }
    if (current && ((gt && next <= *current) || (lt && next >= *current))) continue;
    if (incr) incr_result = next;
    if (!current) {
      ++added;
    } else if (*current != next) {
      ++changed;
    } else {
      continue;
    }
    texts.push_back(RespWriter::FormatDouble(next));
    effect.push_back(texts.back());
    effect.push_back(member);
  }
  if (effect.size() > 2) {
    DropIfExpired(ctx, ctx.argv[1]);
    Apply(ctx, effect);
    NotifyKeyspaceEvent(ctx, kNotifyZset, incr ? "zincr" : "zadd", ctx.argv[1]);
  }
  if (incr) {
    // Nothing updated (NX, XX, GT or LT refused it): nil, as Redis.
    return incr_result ? ctx.reply.Double(*incr_result) : ctx.reply.Null();
  }
  ctx.reply.Integer(ch ? added + changed : added);
}

void Zincrby(CommandContext& ctx) {
  auto delta = ParseScore(ctx.argv[2]);
  if (!delta) return ctx.reply.Error(kErrNotFloat);
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  double current = 0;
  if (e) current = e->zset()->Score(ctx.argv[3]).value_or(0);
  double next = current + *delta;
  if (std::isnan(next)) return ctx.reply.Error("ERR resulting score is not a number (NaN)");
  std::string text = RespWriter::FormatDouble(next);
  DropIfExpired(ctx, ctx.argv[1]);
  Apply(ctx, {"ZADD", ctx.argv[1], text, ctx.argv[3]});
  NotifyKeyspaceEvent(ctx, kNotifyZset, "zincr", ctx.argv[1]);
  ctx.reply.Double(next);
}

void Zrem(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  RemoveMembers(ctx, "ZREM", [e](std::string_view m) { return e->zset()->Score(m).has_value(); });
}

void Zscore(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Null();
  auto score = e->zset()->Score(ctx.argv[2]);
  score ? ctx.reply.Double(*score) : ctx.reply.Null();
}

void Zmscore(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (e == nullptr) {
      ctx.reply.Null();
      continue;
    }
    auto score = e->zset()->Score(ctx.argv[i]);
    score ? ctx.reply.Double(*score) : ctx.reply.Null();
  }
}

void Zcard(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->zset()->size()) : 0);
}

void Zcount(CommandContext& ctx) {
  auto min = ParseBound(ctx.argv[2]), max = ParseBound(ctx.argv[3]);
  if (!min || !max) return ctx.reply.Error("ERR min or max is not a float");
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(ByScore(*e->zset(), *min, *max, false, 0, -1).size())
                      : 0);
}

void Zlexcount(CommandContext& ctx) {
  auto min = ParseLex(ctx.argv[2]), max = ParseLex(ctx.argv[3]);
  if (!min || !max) return ctx.reply.Error("ERR min or max not valid string range item");
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(ByLex(*e->zset(), *min, *max, false, 0, -1).size())
                      : 0);
}

void Zrange(CommandContext& ctx) {
  ZrangeFlags f = ParseZrangeFlags(ctx.argv.subspan(4));
  bool withscores = false;
  std::vector<Item> items;
  if (!RangeItems(ctx, ctx.argv[1], f.rest, f.mode, f.rev, ctx.argv[2], ctx.argv[3], true,
                  &withscores, &items)) {
    return;
  }
  ReplyScored(ctx, items, withscores);
}

void Zrangestore(CommandContext& ctx) {
  ZrangeFlags f = ParseZrangeFlags(ctx.argv.subspan(5));
  bool withscores = false;
  std::vector<Item> items;
  if (!RangeItems(ctx, ctx.argv[2], f.rest, f.mode, f.rev, ctx.argv[3], ctx.argv[4], false,
                  &withscores, &items)) {
    return;
  }
  StoreScored(ctx, ctx.argv[1], items);
}

void Zrevrange(CommandContext& ctx) { RangeGeneric(ctx, 4, 0, true, ctx.argv[2], ctx.argv[3]); }
void Zrangebyscore(CommandContext& ctx) {
  RangeGeneric(ctx, 4, 1, false, ctx.argv[2], ctx.argv[3]);
}
void Zrevrangebyscore(CommandContext& ctx) {
  RangeGeneric(ctx, 4, 1, true, ctx.argv[2], ctx.argv[3]);
}
void Zrangebylex(CommandContext& ctx) { RangeGeneric(ctx, 4, 2, false, ctx.argv[2], ctx.argv[3]); }
void Zrevrangebylex(CommandContext& ctx) {
  RangeGeneric(ctx, 4, 2, true, ctx.argv[2], ctx.argv[3]);
}

void RankImpl(CommandContext& ctx, bool rev) {
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Null();
  auto rank = e->zset()->Rank(ctx.argv[2]);
  if (!rank) return ctx.reply.Null();
  auto below = static_cast<int64_t>(*rank);
  ctx.reply.Integer(rev ? static_cast<int64_t>(e->zset()->size()) - 1 - below : below);
}
void Zrank(CommandContext& ctx) { RankImpl(ctx, false); }
void Zrevrank(CommandContext& ctx) { RankImpl(ctx, true); }

void Zpopmin(CommandContext& ctx) { PopImpl(ctx, true); }
void Zpopmax(CommandContext& ctx) { PopImpl(ctx, false); }
void Bzpopmin(CommandContext& ctx) { BlockingPopImpl(ctx, true); }
void Bzpopmax(CommandContext& ctx) { BlockingPopImpl(ctx, false); }

void Zremrangebyrank(CommandContext& ctx) {
  auto start = ParseInt(ctx.argv[2]), stop = ParseInt(ctx.argv[3]);
  if (!start || !stop) return ctx.reply.Error(kErrNotInteger);
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  auto items = ByRank(*e->zset(), *start, *stop, false);
  RemoveMembers(ctx, ctx.argv[1], items, "zremrangebyrank");
  ctx.reply.Integer(static_cast<int64_t>(items.size()));
}

void Zremrangebyscore(CommandContext& ctx) {
  auto min = ParseBound(ctx.argv[2]), max = ParseBound(ctx.argv[3]);
  if (!min || !max) return ctx.reply.Error("ERR min or max is not a float");
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  auto items = ByScore(*e->zset(), *min, *max, false, 0, -1);
  RemoveMembers(ctx, ctx.argv[1], items, "zremrangebyscore");
  ctx.reply.Integer(static_cast<int64_t>(items.size()));
}

void Zremrangebylex(CommandContext& ctx) {
  auto min = ParseLex(ctx.argv[2]), max = ParseLex(ctx.argv[3]);
  if (!min || !max) return ctx.reply.Error("ERR min or max not valid string range item");
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  auto items = ByLex(*e->zset(), *min, *max, false, 0, -1);
  RemoveMembers(ctx, ctx.argv[1], items, "zremrangebylex");
  ctx.reply.Integer(static_cast<int64_t>(items.size()));
}

void Zrandmember(CommandContext& ctx) {
  std::optional<int64_t> count;
  bool withscores = false;
  if (ctx.argv.size() >= 3) {
    count = ParseRandomCount(ctx, ctx.argv[2]);
    if (!count) return;
  }
  if (ctx.argv.size() == 4) {
    if (!EqualsIgnoreCase(ctx.argv[3], "withscores")) return ctx.reply.Error(kErrSyntax);
    withscores = true;
    if (!RandomPairsCountOk(ctx, *count)) return;
  } else if (ctx.argv.size() > 4) {
    return ctx.reply.Error(kErrSyntax);
  }
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  static std::mt19937_64 rng{std::random_device{}()};
  if (e == nullptr) return count ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  std::vector<Item> all = ByRank(*e->zset(), 0, -1, false);
  if (!count) return ctx.reply.Bulk(all[rng() % all.size()].second);
  std::vector<Item> picked;
  if (*count >= 0) {
    std::shuffle(all.begin(), all.end(), rng);
    picked.assign(all.begin(), all.begin() + std::min<int64_t>(*count, all.size()));
  } else {
    if (!RandomRepeatCountOk(ctx, *count)) return;
    picked.reserve(static_cast<size_t>(-*count));
    for (int64_t i = 0; i < -*count; ++i) picked.push_back(all[rng() % all.size()]);
  }
  ReplyScored(ctx, picked, withscores);
}

void Zscan(CommandContext& ctx) {
  auto args = ParseScanArgs(ctx, 2, /*allow_type=*/false);
  if (!args) return;
  // Variables, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
  const uint64_t cursor = args->cursor;
  const size_t count = args->count;
  const std::optional<std::string_view> pattern = args->pattern;
  state::Entry* e;
  if (!LookupZ(ctx, ctx.argv[1], &e)) return;
  std::vector<std::pair<std::string_view, double>> out;
  uint64_t next = 0;
  if (e != nullptr) {
    next = e->zset()->Scan(cursor, count, [&](std::string_view m, double score) {
      if (!pattern || GlobMatch(*pattern, m)) out.emplace_back(m, score);
    });
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size() * 2));
  for (const auto& [m, s] : out) {
    ctx.reply.Bulk(m);
    ctx.reply.Bulk(RespWriter::FormatDouble(s));
  }
}

void Zunion(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kUnion); }
void Zinter(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kInter); }
void Zdiff(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kDiff); }
void Zunionstore(CommandContext& ctx) { SetOpStore(ctx, SetOp::kUnion); }
void Zinterstore(CommandContext& ctx) { SetOpStore(ctx, SetOp::kInter); }
void Zdiffstore(CommandContext& ctx) { SetOpStore(ctx, SetOp::kDiff); }

}  // namespace

void RegisterZsetCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"zadd", -4, kWrite | kDenyOom | kFast, 1, 1, 1, Zadd});
  r.Add({"zincrby", 4, kWrite | kDenyOom | kFast, 1, 1, 1, Zincrby});
  r.Add({"zrem", -3, kWrite | kFast, 1, 1, 1, Zrem});
  r.Add({"zscore", 3, kReadonly | kFast, 1, 1, 1, Zscore});
  r.Add({"zmscore", -3, kReadonly | kFast, 1, 1, 1, Zmscore});
  r.Add({"zcard", 2, kReadonly | kFast, 1, 1, 1, Zcard});
  r.Add({"zcount", 4, kReadonly | kFast, 1, 1, 1, Zcount});
  r.Add({"zlexcount", 4, kReadonly | kFast, 1, 1, 1, Zlexcount});
  r.Add({"zrange", -4, kReadonly, 1, 1, 1, Zrange});
  r.Add({"zrevrange", -4, kReadonly, 1, 1, 1, Zrevrange});
  r.Add({"zrangebyscore", -4, kReadonly, 1, 1, 1, Zrangebyscore});
  r.Add({"zrevrangebyscore", -4, kReadonly, 1, 1, 1, Zrevrangebyscore});
  r.Add({"zrangebylex", -4, kReadonly, 1, 1, 1, Zrangebylex});
  r.Add({"zrevrangebylex", -4, kReadonly, 1, 1, 1, Zrevrangebylex});
  r.Add({"zrank", 3, kReadonly | kFast, 1, 1, 1, Zrank});
  r.Add({"zrevrank", 3, kReadonly | kFast, 1, 1, 1, Zrevrank});
  r.Add({"zpopmin", -2, kWrite | kFast, 1, 1, 1, Zpopmin});
  r.Add({"zpopmax", -2, kWrite | kFast, 1, 1, 1, Zpopmax});
  r.Add({"bzpopmin", -3, kWrite | kMayBlock | kNoScript | kFast, 1, -2, 1, Bzpopmin});
  r.Add({"bzpopmax", -3, kWrite | kMayBlock | kNoScript | kFast, 1, -2, 1, Bzpopmax});
  r.Add({"zmpop", -4, kWrite, 0, 0, 0, Zmpop});
  r.Add({"bzmpop", -5, kWrite | kMayBlock, 0, 0, 0, Bzmpop});
  r.Add({"zintercard", -3, kReadonly, 0, 0, 0, Zintercard});
  r.Add({"zremrangebyrank", 4, kWrite, 1, 1, 1, Zremrangebyrank});
  r.Add({"zremrangebyscore", 4, kWrite, 1, 1, 1, Zremrangebyscore});
  r.Add({"zremrangebylex", 4, kWrite, 1, 1, 1, Zremrangebylex});
  r.Add({"zrandmember", -2, kReadonly, 1, 1, 1, Zrandmember});
  r.Add({"zscan", -3, kReadonly, 1, 1, 1, Zscan});
  r.Add({"zunion", -3, kReadonly, 0, 0, 0, Zunion});
  r.Add({"zinter", -3, kReadonly, 0, 0, 0, Zinter});
  r.Add({"zdiff", -3, kReadonly, 0, 0, 0, Zdiff});
  r.Add({"zunionstore", -4, kWrite | kDenyOom, 1, 1, 1, Zunionstore});
  r.Add({"zinterstore", -4, kWrite | kDenyOom, 1, 1, 1, Zinterstore});
  r.Add({"zdiffstore", -4, kWrite | kDenyOom, 1, 1, 1, Zdiffstore});
  r.Add({"zrangestore", -5, kWrite | kDenyOom, 1, 2, 1, Zrangestore});
}

}  // namespace strongbox::engine
