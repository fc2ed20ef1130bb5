// Pending entries of consumer groups, Redis 7.0: XPENDING (summary and extended, IDLE), XCLAIM
// (IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID) and XAUTOCLAIM (COUNT, JUSTID, and the third
// reply element: the pending IDs it dropped because their entries were deleted). Claims are
// logged as XCONSUMER + XPEL with the delivery times and counts they resolved, drops as XACK.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/stream_group_util.h"

namespace strongbox::engine {
namespace {

using state::PendingEntry;
using state::StreamGroup, state::StreamId, state::StreamValue;

// Looks up key and group for XPENDING / XCLAIM / XAUTOCLAIM; replies WRONGTYPE or NOGROUP and
// returns false when they are missing.
bool LookupGroup(CommandContext& ctx, StreamValue** st, const StreamGroup** g) {
  if (!LookupStreamValue(ctx, ctx.argv[1], st)) return false;
  *g = *st != nullptr ? state::FindGroup(**st, ctx.argv[2]) : nullptr;
  if (*g == nullptr) ctx.reply.Error(NoKeyOrGroupError(ctx.argv[1], ctx.argv[2]));
  return *g != nullptr;
}

// --- XPENDING ---

void ReplyPendingSummary(CommandContext& ctx, const StreamGroup& g) {
  ctx.reply.ArrayHeader(4);
  ctx.reply.Integer(static_cast<int64_t>(g.pel.size()));
  if (g.pel.empty()) {
    ctx.reply.Null();
    ctx.reply.Null();
    ctx.reply.NullArray();
    return;
  }
  ctx.reply.Bulk(g.pel.begin()->first.ToString());
  ctx.reply.Bulk(g.pel.rbegin()->first.ToString());
  int64_t owners = std::count_if(g.consumers.begin(), g.consumers.end(),
                                 [](const auto& c) { return !c.second.pending.empty(); });
  ctx.reply.ArrayHeader(owners);
  for (const auto& [name, c] : g.consumers) {
    if (c.pending.empty()) continue;
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(std::to_string(c.pending.size()));
  }
}

struct PendingRange {
  int64_t min_idle_ms = 0;
  StreamId start, end;
  int64_t count = 0;
  std::optional<std::string_view> consumer;
};

// [IDLE min-idle] start end count [consumer], from argv[3]; false once an error is replied.
bool ParsePendingRange(CommandContext& ctx, PendingRange* r) {
  size_t at = 3;
  if (EqualsIgnoreCase(ctx.argv[3], "IDLE")) {
    auto idle = ParseInt(ctx.argv[4]);
    if (!idle) return ctx.reply.Error(kErrNotInteger), false;
    if (ctx.argv.size() < 8) return ctx.reply.Error(kErrSyntax), false;
    r->min_idle_ms = *idle;
    at += 2;
  }
  auto count = ParseInt(ctx.argv[at + 2]);
  if (!count) return ctx.reply.Error(kErrNotInteger), false;
  r->count = std::max<int64_t>(*count, 0);
  auto start = ParseIntervalStart(ctx, ctx.argv[at]);
  if (!start) return false;
  auto end = ParseIntervalEnd(ctx, ctx.argv[at + 1]);
  if (!end) return false;
  r->start = *start;
  r->end = *end;
  if (at + 3 < ctx.argv.size()) r->consumer = ctx.argv[at + 3];
  return true;
}

void ReplyPendingRange(CommandContext& ctx, const StreamGroup& g, const PendingRange& r) {
  const std::set<StreamId>* owned = nullptr;
  if (r.consumer) {
    auto c = g.consumers.find(*r.consumer);
    if (c == g.consumers.end()) return ctx.reply.ArrayHeader(0);
    owned = &c->second.pending;
  }
  std::vector<std::pair<StreamId, const PendingEntry*>> out;
  auto take = [&](StreamId id, const PendingEntry& p) {
    if (id > r.end || static_cast<int64_t>(out.size()) >= r.count) return false;
    if (r.min_idle_ms == 0 || ctx.now_ms - p.delivery_time_ms >= r.min_idle_ms) {
      out.emplace_back(id, &p);
    }
    return true;
  };
  if (owned != nullptr) {
    for (auto it = owned->lower_bound(r.start); it != owned->end(); ++it) {
      if (!take(*it, g.pel.at(*it))) break;
    }
  } else {
    for (auto it = g.pel.lower_bound(r.start); it != g.pel.end(); ++it) {
      if (!take(it->first, it->second)) break;
    }
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (const auto& [id, p] : out) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(id.ToString());
    ctx.reply.Bulk(p->consumer);
    ctx.reply.Integer(std::max<int64_t>(0, ctx.now_ms - p->delivery_time_ms));
    ctx.reply.Integer(static_cast<int64_t>(p->delivery_count));
  }
}

void Xpending(CommandContext& ctx) {
  size_t argc = ctx.argv.size();
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.reply.Error(kErrSyntax);
  PendingRange range;
  if (argc >= 6 && !ParsePendingRange(ctx, &range)) return;
  StreamValue* st;
  const StreamGroup* g;
  if (!LookupGroup(ctx, &st, &g)) return;
  if (argc == 3) return ReplyPendingSummary(ctx, *g);
  ReplyPendingRange(ctx, *g, range);
}

// --- XCLAIM ---

struct ClaimArgs {
  int64_t min_idle_ms = 0;
  std::vector<StreamId> ids;
  int64_t retry_count = -1;      // -1: not given
  int64_t delivery_time_ms = 0;  // resolved from IDLE / TIME, else now
  bool force = false;
  bool just_id = false;
  std::optional<StreamId> last_id;
};

bool ParseClaimIntOption(CommandContext& ctx, std::string_view arg, std::string_view name,
                         int64_t* out) {
  auto n = ParseInt(arg);
  if (!n) {
    ctx.reply.Error("ERR Invalid " + std::string(name) + " option argument for XCLAIM");
    return false;
  }
  *out = *n;
  return true;
}

// The IDs from argv[5] up to the first argument that is not one, then the options.
bool ParseClaimArgs(CommandContext& ctx, ClaimArgs* a) {
  auto idle = ParseInt(ctx.argv[4]);
  if (!idle) return ctx.reply.Error("ERR Invalid min-idle-time argument for XCLAIM"), false;
  a->min_idle_ms = std::max<int64_t>(*idle, 0);
  size_t j = 5;
  for (; j < ctx.argv.size(); ++j) {
    auto id = ctx.argv[j].size() <= 127 ? state::ParseStreamId(ctx.argv[j], 0) : std::nullopt;
    if (!id) break;
    a->ids.push_back(*id);
  }
  std::optional<int64_t> time_ms;
  for (; j < ctx.argv.size(); ++j) {
    std::string_view opt = ctx.argv[j];
    bool more = j + 1 < ctx.argv.size();
    int64_t n = 0;
    if (EqualsIgnoreCase(opt, "FORCE")) {
      a->force = true;
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      a->just_id = true;
    } else if (EqualsIgnoreCase(opt, "IDLE") && more) {
      if (!ParseClaimIntOption(ctx, ctx.argv[++j], "IDLE", &n)) return false;
      time_ms = n < 0 && ctx.now_ms > INT64_MAX + n ? INT64_MAX : ctx.now_ms - n;
    } else if (EqualsIgnoreCase(opt, "TIME") && more) {
      if (!ParseClaimIntOption(ctx, ctx.argv[++j], "TIME", &n)) return false;
      time_ms = n;
    } else if (EqualsIgnoreCase(opt, "RETRYCOUNT") && more) {
      if (!ParseClaimIntOption(ctx, ctx.argv[++j], "RETRYCOUNT", &a->retry_count)) return false;
    } else if (EqualsIgnoreCase(opt, "LASTID") && more) {
      a->last_id = ParseStreamIdArg(ctx, ctx.argv[++j], 0, true);
      if (!a->last_id) return false;
    } else {
      ctx.reply.Error("ERR Unrecognized XCLAIM option '" + std::string(opt) + "'");
      return false;
    }
  }
  // A bogus time (negative, or in the future) means now, as Redis: clients compute it.
  a->delivery_time_ms = !time_ms || *time_ms < 0 || *time_ms > ctx.now_ms ? ctx.now_ms : *time_ms;
  return true;
}

// One ID of XCLAIM, against the state as the previous IDs left it (an ID may repeat). Returns
// whether it was claimed.
bool ClaimOne(CommandContext& ctx, const ClaimArgs& a, StreamValue& st, StreamId id,
              bool* consumer_touched) {
  std::string_view key = ctx.argv[1], group = ctx.argv[2], consumer = ctx.argv[3];
  const StreamGroup& g = *state::FindGroup(st, group);
  auto nack = g.pel.find(id);
  if (st.entries.count(id) == 0) {
    if (nack != g.pel.end()) ApplyAcks(ctx, key, group, {id});
    return false;
  }
  std::optional<PendingEntry> p;
  if (nack != g.pel.end()) {
    p = nack->second;
    if (a.min_idle_ms != 0 && ctx.now_ms - p->delivery_time_ms < a.min_idle_ms) return false;
  } else if (a.force) {
    p = PendingEntry{"", ctx.now_ms, 1};  // Redis's new NACK, then counted like any other
  } else {
    return false;
  }
  if (!*consumer_touched) TouchConsumer(ctx, key, group, consumer);
  *consumer_touched = true;
  p->delivery_time_ms = a.delivery_time_ms;
  if (a.retry_count >= 0) {
    p->delivery_count = static_cast<uint64_t>(a.retry_count);
  } else if (!a.just_id) {
    ++p->delivery_count;
  }
  ApplyPendingUpdates(ctx, key, group, consumer, {{id, *p}});
  return true;
}

void Xclaim(CommandContext& ctx) {
  StreamValue* st;
  const StreamGroup* g;
  if (!LookupGroup(ctx, &st, &g)) return;
  ClaimArgs a;
  if (!ParseClaimArgs(ctx, &a)) return;
  if (a.last_id && *a.last_id > g->last_delivered_id) {
    std::string last = a.last_id->ToString(), read = std::to_string(g->entries_read);
    Apply(ctx, {"XGROUPSETID", ctx.argv[1], ctx.argv[2], last, read});
  }
  std::vector<StreamId> claimed;
  bool consumer_touched = false;
  for (StreamId id : a.ids) {
    if (ClaimOne(ctx, a, *st, id, &consumer_touched)) claimed.push_back(id);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(claimed.size()));
  for (StreamId id : claimed) {
    if (a.just_id) {
      ctx.reply.Bulk(id.ToString());
    } else if (!ReplyEntryIfPresent(ctx, *st, id)) {
      ctx.reply.Null();
    }
  }
}

// --- XAUTOCLAIM ---

struct AutoClaimPlan {
  PendingUpdates claimed;
  std::vector<StreamId> deleted;
  StreamId cursor;  // 0-0: the scan reached the end of the PEL
};

// Walks the PEL from `start` as Redis 7.0 does: at most count * 10 entries looked at, at most
// `count` claimed or dropped (entries deleted from the stream are dropped from the PEL).
AutoClaimPlan PlanAutoClaim(CommandContext& ctx, const StreamValue& st, const StreamGroup& g,
                            StreamId start, int64_t min_idle_ms, int64_t count, bool just_id) {
  AutoClaimPlan plan;
  int64_t attempts = count * 10;
  auto it = g.pel.lower_bound(start);
  for (; attempts > 0 && count > 0 && it != g.pel.end(); ++it, --attempts) {
    const auto& [id, nack] = *it;
    if (st.entries.count(id) == 0) {
      plan.deleted.push_back(id);
      --count;
      continue;
    }
    if (min_idle_ms != 0 && ctx.now_ms - nack.delivery_time_ms < min_idle_ms) continue;
    PendingEntry p = nack;
    p.delivery_time_ms = ctx.now_ms;
    if (!just_id) ++p.delivery_count;
    plan.claimed.emplace_back(id, p);
    --count;
  }
  if (it != g.pel.end()) plan.cursor = it->first;
  return plan;
}

void Xautoclaim(CommandContext& ctx) {
  auto idle = ParseInt(ctx.argv[4]);
  if (!idle) return ctx.reply.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  auto start = ParseIntervalStart(ctx, ctx.argv[5]);
  if (!start) return;
  int64_t count = 100;
  bool just_id = false;
  for (size_t j = 6; j < ctx.argv.size(); ++j) {
    if (EqualsIgnoreCase(ctx.argv[j], "COUNT") && j + 1 < ctx.argv.size()) {
      // Redis bounds COUNT so that count * 10 attempts cannot overflow.
      auto n = ParseInt(ctx.argv[++j]);
      if (!n || *n < 1 || *n > LONG_MAX / 16) return ctx.reply.Error("ERR COUNT must be > 0");
      count = *n;
    } else if (EqualsIgnoreCase(ctx.argv[j], "JUSTID")) {
      just_id = true;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  StreamValue* st;
  const StreamGroup* g;
  if (!LookupGroup(ctx, &st, &g)) return;
  AutoClaimPlan plan =
      PlanAutoClaim(ctx, *st, *g, *start, std::max<int64_t>(*idle, 0), count, just_id);
  std::string_view key = ctx.argv[1], group = ctx.argv[2], consumer = ctx.argv[3];
  ApplyAcks(ctx, key, group, plan.deleted);
  if (!plan.claimed.empty()) TouchConsumer(ctx, key, group, consumer);
  ApplyPendingUpdates(ctx, key, group, consumer, plan.claimed);
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk(plan.cursor.ToString());
  ctx.reply.ArrayHeader(static_cast<int64_t>(plan.claimed.size()));
  for (const auto& [id, p] : plan.claimed) {
    just_id ? ctx.reply.Bulk(id.ToString()) : (void)ReplyEntryIfPresent(ctx, *st, id);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(plan.deleted.size()));
  for (StreamId id : plan.deleted) ctx.reply.Bulk(id.ToString());
}

}  // namespace

void RegisterStreamClaimCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"xpending", -3, kReadonly, 1, 1, 1, Xpending});
  r.Add({"xclaim", -6, kWrite | kFast, 1, 1, 1, Xclaim});
  r.Add({"xautoclaim", -6, kWrite | kFast, 1, 1, 1, Xautoclaim});
}

}  // namespace strongbox::engine
