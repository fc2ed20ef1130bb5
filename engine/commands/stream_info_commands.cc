// XINFO GROUPS, XINFO CONSUMERS and the entries and groups of XINFO STREAM FULL, in Redis 7.0's
// shape (stream_read_commands.cc dispatches XINFO and replies the stream's own fields). FULL
// reports absolute times (delivery and seen times in Unix ms), the other forms idle times.
#include <algorithm>
#include <cstdint>
#include <string>

#include "engine/commands/command_util.h"
#include "engine/commands/stream_group_util.h"

namespace strongbox::engine {
namespace {

using state::StreamGroup;
using state::StreamValue;

// The group's place in the stream: last-delivered-id, entries-read and lag (null: unknown).
void ReplyGroupPosition(CommandContext& ctx, const StreamValue& st, const StreamGroup& g) {
  ctx.reply.Bulk("last-delivered-id");
  ctx.reply.Bulk(g.last_delivered_id.ToString());
  ctx.reply.Bulk("entries-read");
  g.entries_read == state::kEntriesReadUnknown ? ctx.reply.Null()
                                               : ctx.reply.Integer(g.entries_read);
  ctx.reply.Bulk("lag");
  std::optional<int64_t> lag = state::GroupLag(st, g);
  lag ? ctx.reply.Integer(*lag) : ctx.reply.Null();
}

// At most `count` items (0: all) of a container.
template <typename Container>
int64_t Limited(const Container& c, int64_t count) {
  auto n = static_cast<int64_t>(c.size());
  return count == 0 ? n : std::min(n, count);
}

void ReplyFullGroupPending(CommandContext& ctx, const StreamGroup& g, int64_t count) {
  int64_t n = Limited(g.pel, count);
  ctx.reply.ArrayHeader(n);
  auto it = g.pel.begin();
  for (int64_t i = 0; i < n; ++i, ++it) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(it->first.ToString());
    ctx.reply.Bulk(it->second.consumer);
    ctx.reply.Integer(it->second.delivery_time_ms);
    ctx.reply.Integer(static_cast<int64_t>(it->second.delivery_count));
  }
}

void ReplyFullConsumers(CommandContext& ctx, const StreamGroup& g, int64_t count) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(g.consumers.size()));
  for (const auto& [name, c] : g.consumers) {
    ctx.reply.MapHeader(4);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("seen-time");
    ctx.reply.Integer(c.seen_time_ms);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Integer(static_cast<int64_t>(c.pending.size()));
    ctx.reply.Bulk("pending");
    int64_t n = Limited(c.pending, count);
    ctx.reply.ArrayHeader(n);
    auto it = c.pending.begin();
    for (int64_t i = 0; i < n; ++i, ++it) {
      const state::PendingEntry& p = g.pel.at(*it);
      ctx.reply.ArrayHeader(3);
      ctx.reply.Bulk(it->ToString());
      ctx.reply.Integer(p.delivery_time_ms);
      ctx.reply.Integer(static_cast<int64_t>(p.delivery_count));
    }
  }
}

// An array of one map per group, each opening with its name; `body` adds the other fields.
template <typename Body>
void ReplyGroupMaps(CommandContext& ctx, const StreamValue& st, int64_t fields, Body body) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(state::GroupCount(st)));
  if (st.groups.get() == nullptr) return;
  for (const auto& [name, g] : st.groups.get()->by_name) {
    ctx.reply.MapHeader(fields);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    body(g);
  }
}

}  // namespace

void ReplyXinfoGroups(CommandContext& ctx, const StreamValue& st) {
  ReplyGroupMaps(ctx, st, 6, [&](const StreamGroup& g) {
    ctx.reply.Bulk("consumers");
    ctx.reply.Integer(static_cast<int64_t>(g.consumers.size()));
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(g.pel.size()));
    ReplyGroupPosition(ctx, st, g);
  });
}

void ReplyXinfoConsumers(CommandContext& ctx, const StreamValue& st, std::string_view key,
                         std::string_view group) {
  const StreamGroup* g = state::FindGroup(st, group);
  if (g == nullptr) {
    return ctx.reply.Error(NoGroupForKeyError(key, group));
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(g->consumers.size()));
  for (const auto& [name, c] : g->consumers) {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(c.pending.size()));
    ctx.reply.Bulk("idle");
    ctx.reply.Integer(std::max<int64_t>(0, ctx.now_ms - c.seen_time_ms));
  }
}

void ReplyXinfoFullTail(CommandContext& ctx, const StreamValue& st, int64_t count) {
  ctx.reply.Bulk("entries");
  int64_t n = Limited(st.entries, count);
  ctx.reply.ArrayHeader(n);
  auto it = st.entries.begin();
  for (int64_t i = 0; i < n; ++i, ++it) ReplyEntryIfPresent(ctx, st, it->first);
  ctx.reply.Bulk("groups");
  ReplyGroupMaps(ctx, st, 7, [&](const StreamGroup& g) {
    ReplyGroupPosition(ctx, st, g);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Integer(static_cast<int64_t>(g.pel.size()));
    ctx.reply.Bulk("pending");
    ReplyFullGroupPending(ctx, g, count);
    ctx.reply.Bulk("consumers");
    ReplyFullConsumers(ctx, g, count);
  });
}

}  // namespace strongbox::engine
