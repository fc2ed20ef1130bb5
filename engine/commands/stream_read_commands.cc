// Stream reads that are not ranges: XREAD (with BLOCK) and XINFO (Redis 7.0); XINFO's
// consumer-group parts are in stream_info_commands.cc.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/stream_group_util.h"

namespace strongbox::engine {
namespace {

using state::StreamId;
using state::StreamValue;
using state::ValueType;

void ReplyEntries(CommandContext& ctx, const StreamValue& st, StreamId after, int64_t count) {
  auto it = st.entries.upper_bound(after);
  int64_t n = 0;
  for (auto j = it; j != st.entries.end() && (count == 0 || n < count); ++j) ++n;
  ctx.reply.ArrayHeader(n);
  for (int64_t k = 0; k < n; ++k, ++it) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(it->first.ToString());
    ctx.reply.ArrayHeader(static_cast<int64_t>(it->second.size()));
    for (const auto& f : it->second) ctx.reply.Bulk(f);
  }
}

bool HasEntryAfter(const StreamValue* st, StreamId after) {
  return st != nullptr && !st->entries.empty() && st->entries.rbegin()->first > after;
}

struct XreadArgs {
  int64_t count = 0;  // 0 = no limit
  bool block = false;
  int64_t deadline_ms = 0;
  size_t streams_at = 0;
  size_t stream_count = 0;
};

bool ParseXreadArgs(CommandContext& ctx, XreadArgs* a) {
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    std::string_view o = ctx.argv[i];
    bool more = i + 1 < ctx.argv.size();
    if (EqualsIgnoreCase(o, "BLOCK") && more) {
      if (!ParseStreamBlockMs(ctx, ctx.argv[++i], &a->deadline_ms)) return false;
      a->block = true;
    } else if (EqualsIgnoreCase(o, "COUNT") && more) {
      auto n = ParseInt(ctx.argv[++i]);
      if (!n) return ctx.reply.Error(kErrNotInteger), false;
      a->count = std::max<int64_t>(*n, 0);
    } else if (EqualsIgnoreCase(o, "STREAMS") && more) {
      a->streams_at = i + 1;
      return CountStreamsArgs(ctx, a->streams_at, &a->stream_count);
    } else if (EqualsIgnoreCase(o, "GROUP") && i + 2 < ctx.argv.size()) {
      ctx.reply.Error(
          "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      return false;
    } else {
      return ctx.reply.Error(kErrSyntax), false;
    }
  }
  return ctx.reply.Error(kErrSyntax), false;
}

// Parks the client on the keys, with "$" replaced by the ID it meant now, so a wake-up reads
// what arrived after the call.
void Block(CommandContext& ctx, const XreadArgs& a, const std::vector<StreamId>& ids) {
  auto& block = ctx.client.block;
  block.active = true;
  block.deadline_ms = a.deadline_ms;
  block.keys.clear();
  block.rerun_argv.assign(ctx.argv.begin(), ctx.argv.end());
  for (size_t k = 0; k < a.stream_count; ++k) {
    block.keys.emplace_back(ctx.client.db, std::string(ctx.argv[a.streams_at + k]));
    block.rerun_argv[a.streams_at + a.stream_count + k] = ids[k].ToString();
  }
}

void Xread(CommandContext& ctx) {
  XreadArgs a;
  if (!ParseXreadArgs(ctx, &a)) return;
  std::vector<StreamId> ids;
  std::vector<const StreamValue*> streams;
  for (size_t k = 0; k < a.stream_count; ++k) {
    std::string_view key = ctx.argv[a.streams_at + k];
    std::string_view arg = ctx.argv[a.streams_at + a.stream_count + k];
    state::Entry* e;
    if (!LookupTyped(ctx, key, ValueType::kStream, &e)) return;
    const StreamValue* st = e != nullptr ? e->stream() : nullptr;
    streams.push_back(st);
    if (arg == "$") {
      ids.push_back(st != nullptr ? st->last_id : StreamId{});
      continue;
    }
    auto id = arg.size() <= 127 ? state::ParseStreamId(arg, 0) : std::nullopt;
    if (!id) return ctx.reply.Error("ERR Invalid stream ID specified as stream command argument");
    ids.push_back(*id);
  }
  int64_t ready = 0;
  for (size_t k = 0; k < a.stream_count; ++k) ready += HasEntryAfter(streams[k], ids[k]) ? 1 : 0;
  if (ready == 0) {
    if (a.block && !ctx.client.in_exec) return Block(ctx, a, ids);
    return ctx.reply.NullArray();
  }
  bool resp2 = ctx.client.protocol_version < 3;
  resp2 ? ctx.reply.ArrayHeader(ready) : ctx.reply.MapHeader(ready);
  for (size_t k = 0; k < a.stream_count; ++k) {
    if (!HasEntryAfter(streams[k], ids[k])) continue;
    if (resp2) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(ctx.argv[a.streams_at + k]);
    ReplyEntries(ctx, *streams[k], ids[k], a.count);
  }
}

void ReplyEntryOrNull(CommandContext& ctx, const StreamValue& st, bool first) {
  if (st.entries.empty()) return ctx.reply.Null();
  const auto [id, fields] = first ? *st.entries.begin() : *st.entries.rbegin();  // a copy
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(id.ToString());
  ctx.reply.ArrayHeader(static_cast<int64_t>(fields.size()));
  for (const auto& f : fields) ctx.reply.Bulk(f);
}

// Radix-tree figures as Redis reports them: one key per node of entries (our nodes split as
// Redis's do), and one more tree node than keys (exact for small streams, an estimate beyond).
// FULL (full_count set; 0 = no limit) ends with the entries and the groups instead.
void XinfoStream(CommandContext& ctx, const StreamValue& st, std::optional<int64_t> full_count) {
  int64_t nodes = static_cast<int64_t>(st.entries.node_count());
  ctx.reply.MapHeader(full_count ? 9 : 10);
  ctx.reply.Bulk("length");
  ctx.reply.Integer(static_cast<int64_t>(st.size()));
  ctx.reply.Bulk("radix-tree-keys");
  ctx.reply.Integer(nodes);
  ctx.reply.Bulk("radix-tree-nodes");
  ctx.reply.Integer(nodes + 1);
  ctx.reply.Bulk("last-generated-id");
  ctx.reply.Bulk(st.last_id.ToString());
  ctx.reply.Bulk("max-deleted-entry-id");
  ctx.reply.Bulk(st.max_deleted_id.ToString());
  ctx.reply.Bulk("entries-added");
  ctx.reply.Integer(static_cast<int64_t>(st.entries_added));
  ctx.reply.Bulk("recorded-first-entry-id");
  ctx.reply.Bulk(st.entries.empty() ? "0-0" : st.entries.begin()->first.ToString());
  if (full_count) return ReplyXinfoFullTail(ctx, st, *full_count);
  ctx.reply.Bulk("groups");
  ctx.reply.Integer(static_cast<int64_t>(state::GroupCount(st)));
  ctx.reply.Bulk("first-entry");
  ReplyEntryOrNull(ctx, st, true);
  ctx.reply.Bulk("last-entry");
  ReplyEntryOrNull(ctx, st, false);
}

void XinfoHelp(CommandContext& ctx) {
  constexpr std::string_view kLines[] = {
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      "HELP",
      "    Prints this help."};
  ReplyHelpLines(ctx, kLines);
}

// Redis 7.0's subcommand table (HELP 2, CONSUMERS 4, GROUPS 3, STREAM at least 3): true when
// the subcommand may run, else the error is replied.
bool CheckXinfoSubcommand(CommandContext& ctx, const std::string& sub) {
  size_t argc = ctx.argv.size();
  bool known = sub == "help" || sub == "consumers" || sub == "groups" || sub == "stream";
  if (!known) {
    ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try XINFO HELP.");
    return false;
  }
  bool arity_ok = sub == "help"        ? argc == 2
                  : sub == "consumers" ? argc == 4
                  : sub == "groups"    ? argc == 3
                                       : argc >= 3;
  if (!arity_ok) ctx.reply.Error("ERR wrong number of arguments for 'xinfo|" + sub + "' command");
  return arity_ok;
}

// XINFO STREAM key [FULL [COUNT n]]: *full_count stays nullopt without FULL; COUNT defaults
// to 10, a negative one means 10 and 0 everything. False once an error is replied.
bool ParseXinfoFull(CommandContext& ctx, std::optional<int64_t>* full_count) {
  size_t argc = ctx.argv.size();
  if (argc == 3) return true;
  if (!EqualsIgnoreCase(ctx.argv[3], "FULL")) return SubcommandSyntaxError(ctx, "XINFO"), false;
  *full_count = 10;
  if (argc == 4) return true;
  if (argc != 6 || !EqualsIgnoreCase(ctx.argv[4], "COUNT")) {
    return SubcommandSyntaxError(ctx, "XINFO"), false;
  }
  auto n = ParseInt(ctx.argv[5]);
  if (!n) return ctx.reply.Error(kErrNotInteger), false;
  *full_count = *n < 0 ? 10 : *n;
  return true;
}

void Xinfo(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (!CheckXinfoSubcommand(ctx, sub)) return;
  if (sub == "help") return XinfoHelp(ctx);
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[2], ValueType::kStream, &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  const StreamValue& st = *e->stream();
  if (sub == "groups") return ReplyXinfoGroups(ctx, st);
  if (sub == "consumers") return ReplyXinfoConsumers(ctx, st, ctx.argv[2], ctx.argv[3]);
  std::optional<int64_t> full_count;
  if (!ParseXinfoFull(ctx, &full_count)) return;
  XinfoStream(ctx, st, full_count);
}

}  // namespace

void RegisterStreamReadCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"xread", -4, kReadonly | kMayBlock, 0, 0, 0, Xread});
  r.Add({"xinfo", -2, kReadonly, 0, 0, 0, Xinfo});
}

}  // namespace strongbox::engine
