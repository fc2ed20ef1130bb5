// Consumer groups, Redis 7.0: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
// XREADGROUP (with BLOCK and NOACK) and XACK. Every change is logged as the consumer-group
// effects (XGROUPCREATE ... XACK in apply.cc) with resolved IDs, counters and times, so replay
// rebuilds groups, consumers and pending entries exactly. XPENDING/XCLAIM/XAUTOCLAIM live in
// stream_claim_commands.cc, XINFO in stream_read_commands.cc.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/stream_group_util.h"

namespace strongbox::engine {
namespace {

using state::PendingEntry;
using state::StreamGroup;
using state::StreamId;
using state::StreamValue;

// --- XGROUP ---

void XgroupHelp(CommandContext& ctx) {
  constexpr std::string_view kLines[] = {
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help."};
  ReplyHelpLines(ctx, kLines);
}

// Redis 7.0's subcommand table: a known name with the wrong arity, or an unknown name, is
// answered before anything else; true when the subcommand may run.
bool CheckXgroupSubcommand(CommandContext& ctx, const std::string& sub) {
  struct Sub {
    std::string_view name;
    int arity;  // negative: at least -arity
  };
  constexpr Sub kSubs[] = {{"create", -5},        {"setid", -5},      {"destroy", 4},
                           {"createconsumer", 5}, {"delconsumer", 5}, {"help", 2}};
  auto argc = static_cast<int>(ctx.argv.size());
  for (const Sub& s : kSubs) {
    if (s.name != sub) continue;
    if (s.arity > 0 ? argc != s.arity : argc < -s.arity) {
      ctx.reply.Error("ERR wrong number of arguments for 'xgroup|" + sub + "' command");
      return false;
    }
    return true;
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try XGROUP HELP.");
  return false;
}

// CREATE / SETID options from argv[5]: MKSTREAM (CREATE only) and ENTRIESREAD n.
bool ParseXgroupOptions(CommandContext& ctx, bool create, bool* mkstream, int64_t* entries_read) {
  for (size_t i = 5; i < ctx.argv.size(); ++i) {
    if (create && EqualsIgnoreCase(ctx.argv[i], "MKSTREAM")) {
      *mkstream = true;
    } else if (EqualsIgnoreCase(ctx.argv[i], "ENTRIESREAD") && i + 1 < ctx.argv.size()) {
      auto n = ParseInt(ctx.argv[++i]);
      if (!n) return ctx.reply.Error(kErrNotInteger), false;
      if (*n < 0 && *n != state::kEntriesReadUnknown) {
        ctx.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
        return false;
      }
      *entries_read = *n;
    } else {
      SubcommandSyntaxError(ctx, "XGROUP");
      return false;
    }
  }
  return true;
}

void XgroupCreate(CommandContext& ctx, const StreamValue* st, const StreamGroup* g,
                  int64_t entries_read) {
  if (ctx.argv.size() > 8) return SubcommandSyntaxError(ctx, "XGROUP");
  std::string_view key = ctx.argv[2], group = ctx.argv[3];
  std::optional<StreamId> id;
  if (ctx.argv[4] == "$") {
    id = st != nullptr ? st->last_id : StreamId{};
  } else {
    id = ParseStreamIdArg(ctx, ctx.argv[4], 0, true);
    if (!id) return;
  }
  if (g != nullptr) return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
  std::string id_text = id->ToString(), read_text = std::to_string(entries_read);
  Apply(ctx, {"XGROUPCREATE", key, group, id_text, read_text});
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-create", key);
  ctx.reply.SimpleString("OK");
}

void XgroupSetId(CommandContext& ctx, const StreamValue& st, int64_t entries_read) {
  if (ctx.argv.size() != 5 && ctx.argv.size() != 7) return SubcommandSyntaxError(ctx, "XGROUP");
  std::optional<StreamId> id =
      ctx.argv[4] == "$" ? st.last_id : ParseStreamIdArg(ctx, ctx.argv[4], 0, false);
  if (!id) return;
  std::string id_text = id->ToString(), read_text = std::to_string(entries_read);
  Apply(ctx, {"XGROUPSETID", ctx.argv[2], ctx.argv[3], id_text, read_text});
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-setid", ctx.argv[2]);
  ctx.reply.SimpleString("OK");
}

void XgroupDestroy(CommandContext& ctx, const StreamGroup* g) {
  if (g == nullptr) return ctx.reply.Integer(0);
  Apply(ctx, {"XGROUPDESTROY", ctx.argv[2], ctx.argv[3]});
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-destroy", ctx.argv[2]);
  ctx.reply.Integer(1);
}

void XgroupDelConsumer(CommandContext& ctx, const StreamGroup& g) {
  auto it = g.consumers.find(ctx.argv[4]);
  if (it == g.consumers.end()) return ctx.reply.Integer(0);
  auto pending = static_cast<int64_t>(it->second.pending.size());
  Apply(ctx, {"XDELCONSUMER", ctx.argv[2], ctx.argv[3], ctx.argv[4]});
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-delconsumer", ctx.argv[2]);
  ctx.reply.Integer(pending);
}

void Xgroup(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (!CheckXgroupSubcommand(ctx, sub)) return;
  if (sub == "help") return XgroupHelp(ctx);
  bool mkstream = false;
  int64_t entries_read = state::kEntriesReadUnknown;
  if ((sub == "create" || sub == "setid") &&
      !ParseXgroupOptions(ctx, sub == "create", &mkstream, &entries_read)) {
    return;
  }
  std::string_view key = ctx.argv[2];
  if (mkstream) DropIfExpired(ctx, key);
  StreamValue* st;
  if (!LookupStreamValue(ctx, key, &st)) return;
  if (st == nullptr && !mkstream) {
    return ctx.reply.Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
  }
  const StreamGroup* g = st != nullptr ? state::FindGroup(*st, ctx.argv[3]) : nullptr;
  if (g == nullptr && sub != "create" && sub != "destroy") {
    return ctx.reply.Error(NoGroupForKeyError(key, ctx.argv[3]));
  }
  if (sub == "create") return XgroupCreate(ctx, st, g, entries_read);
  if (sub == "setid") return XgroupSetId(ctx, *st, entries_read);
  if (sub == "destroy") return XgroupDestroy(ctx, g);
  if (sub == "delconsumer") return XgroupDelConsumer(ctx, *g);
  if (g->consumers.contains(ctx.argv[4])) return ctx.reply.Integer(0);
  TouchConsumer(ctx, key, ctx.argv[3], ctx.argv[4]);
  ctx.reply.Integer(1);
}

// --- XACK ---

void Xack(CommandContext& ctx) {
  std::vector<StreamId> ids;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    auto id = ParseStreamIdArg(ctx, ctx.argv[i], 0, true);
    if (!id) return;
    ids.push_back(*id);
  }
  StreamValue* st;
  if (!LookupStreamValue(ctx, ctx.argv[1], &st)) return;
  const StreamGroup* g = st != nullptr ? state::FindGroup(*st, ctx.argv[2]) : nullptr;
  if (g == nullptr) return ctx.reply.Integer(0);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::erase_if(ids, [&](StreamId id) { return !g->pel.contains(id); });
  ApplyAcks(ctx, ctx.argv[1], ctx.argv[2], ids);
  ctx.reply.Integer(static_cast<int64_t>(ids.size()));
}

// --- XREADGROUP ---

// Redis's XREAD_BLOCKED_DEFAULT_COUNT: a woken client without COUNT gets at most this many.
constexpr int64_t kBlockedDefaultCount = 1000;

struct ReadGroupArgs {
  int64_t count = 0;  // 0 = no limit
  bool block = false;
  int64_t deadline_ms = 0;
  bool noack = false;
  std::optional<std::pair<std::string_view, std::string_view>> group;  // group, consumer
  size_t streams_at = 0;
  size_t stream_count = 0;
};

// One option at argv[*i]; false once an error is replied.
bool ParseReadGroupOption(CommandContext& ctx, size_t* i, ReadGroupArgs* a) {
  std::string_view o = ctx.argv[*i];
  size_t more = ctx.argv.size() - 1 - *i;
  if (EqualsIgnoreCase(o, "BLOCK") && more > 0) {
    if (!ParseStreamBlockMs(ctx, ctx.argv[++*i], &a->deadline_ms)) return false;
    a->block = true;
  } else if (EqualsIgnoreCase(o, "COUNT") && more > 0) {
    auto n = ParseInt(ctx.argv[++*i]);
    if (!n) return ctx.reply.Error(kErrNotInteger), false;
    a->count = std::max<int64_t>(*n, 0);
  } else if (EqualsIgnoreCase(o, "GROUP") && more >= 2) {
    a->group.emplace(ctx.argv[*i + 1], ctx.argv[*i + 2]);
    *i += 2;
  } else if (EqualsIgnoreCase(o, "NOACK")) {
    a->noack = true;
  } else {
    return ctx.reply.Error(kErrSyntax), false;
  }
  return true;
}

bool ParseReadGroupArgs(CommandContext& ctx, ReadGroupArgs* a) {
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    if (EqualsIgnoreCase(ctx.argv[i], "STREAMS") && i + 1 < ctx.argv.size()) {
      a->streams_at = i + 1;
      if (!CountStreamsArgs(ctx, a->streams_at, &a->stream_count)) return false;
      break;
    }
    if (!ParseReadGroupOption(ctx, &i, a)) return false;
  }
  if (a->streams_at == 0) return ctx.reply.Error(kErrSyntax), false;
  if (!a->group) return ctx.reply.Error("ERR Missing GROUP option for XREADGROUP"), false;
  return true;
}

// One stream of the call: its value and group, and the ID asked for (nullopt: ">").
struct ReadTarget {
  std::string_view key;
  StreamValue* st = nullptr;
  const StreamGroup* group = nullptr;
  std::optional<StreamId> after;
};

enum class Resolve { kOk, kReplied, kStayBlocked };

// Looks up every stream and group and parses the IDs, replying Redis's errors. A woken client
// whose key went away (or changed type) stays blocked; one whose group went gets -NOGROUP.
Resolve ResolveTargets(CommandContext& ctx, const ReadGroupArgs& a,
                       std::vector<ReadTarget>* targets) {
  std::string_view group = a.group->first;
  for (size_t k = 0; k < a.stream_count; ++k) {
    ReadTarget t;
    t.key = ctx.argv[a.streams_at + k];
    std::string_view arg = ctx.argv[a.streams_at + a.stream_count + k];
    state::Entry* e = CurrentDb(ctx).Find(t.key, ctx.now_ms);
    if (ctx.client.serving_blocked && (e == nullptr || e->stream() == nullptr)) {
      return Resolve::kStayBlocked;
    }
    if (!LookupStreamValue(ctx, t.key, &t.st)) return Resolve::kReplied;
    t.group = t.st != nullptr ? state::FindGroup(*t.st, group) : nullptr;
    if (t.group == nullptr) {
      ctx.reply.Error(ctx.client.serving_blocked
                          ? "NOGROUP the consumer group this client was blocked on no longer exists"
                          : NoKeyOrGroupError(t.key, group, " in XREADGROUP with GROUP option"));
      return Resolve::kReplied;
    }
    if (arg == "$") {
      ctx.reply.Error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
          "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
          "ID would just return an empty result set.");
      return Resolve::kReplied;
    }
    if (arg != ">") {
      t.after = ParseStreamIdArg(ctx, arg, 0, true);
      if (!t.after) return Resolve::kReplied;
    }
    targets->push_back(t);
  }
  return Resolve::kOk;
}

// Whether the call serves this stream now: history always, ">" when an entry lies beyond the
// group's last delivered ID.
bool Servable(const ReadTarget& t) {
  if (t.after) return true;
  return !t.st->entries.empty() && t.st->entries.rbegin()->first > t.group->last_delivered_id;
}

// History: the consumer's pending entries after `after`; each one still in the stream is
// delivered again (time now, count + 1), a deleted one is replied as [id, nil].
void ServeHistory(CommandContext& ctx, const ReadGroupArgs& a, const ReadTarget& t) {
  std::string_view group = a.group->first, consumer = a.group->second;
  TouchConsumer(ctx, t.key, group, consumer);
  const state::StreamConsumer& c = t.group->consumers.find(consumer)->second;
  std::vector<StreamId> ids;
  if (auto start = t.after->Next()) {
    for (auto it = c.pending.lower_bound(*start);
         it != c.pending.end() && (a.count == 0 || static_cast<int64_t>(ids.size()) < a.count);
         ++it) {
      ids.push_back(*it);
    }
  }
  PendingUpdates updates;
  ctx.reply.ArrayHeader(static_cast<int64_t>(ids.size()));
  for (StreamId id : ids) {
    if (!ReplyEntryIfPresent(ctx, *t.st, id)) {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(id.ToString());
      ctx.reply.NullArray();
      continue;
    }
    PendingEntry p = t.group->pel.at(id);
    p.delivery_time_ms = ctx.now_ms;
    ++p.delivery_count;
    updates.emplace_back(id, p);
  }
  ApplyPendingUpdates(ctx, t.key, group, consumer, updates);
}

// ">": the entries after the group's last delivered ID; the group moves past them (with Redis
// 7.0's entries_read rules) and, without NOACK, they become the consumer's pending entries.
void ServeNew(CommandContext& ctx, const ReadGroupArgs& a, const ReadTarget& t) {
  std::string_view group = a.group->first, consumer = a.group->second;
  TouchConsumer(ctx, t.key, group, consumer);
  int64_t count = a.count == 0 && ctx.client.serving_blocked ? kBlockedDefaultCount : a.count;
  StreamId last_id = t.group->last_delivered_id;
  int64_t entries_read = t.group->entries_read;
  PendingUpdates updates;
  std::vector<StreamId> ids;
  for (auto it = t.st->entries.upper_bound(t.group->last_delivered_id);
       it != t.st->entries.end() && (count == 0 || static_cast<int64_t>(ids.size()) < count);
       ++it) {
    entries_read = state::EntriesReadAfterDelivering(*t.st, entries_read, it->first);
    last_id = it->first;
    ids.push_back(it->first);
    if (!a.noack) updates.emplace_back(it->first, PendingEntry{"", ctx.now_ms, 1});
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(ids.size()));
  for (StreamId id : ids) ReplyEntryIfPresent(ctx, *t.st, id);
  std::string last = last_id.ToString(), read = std::to_string(entries_read);
  Apply(ctx, {"XGROUPSETID", t.key, group, last, read});
  ApplyPendingUpdates(ctx, t.key, group, consumer, updates);
}

void BlockReadGroup(CommandContext& ctx, const ReadGroupArgs& a) {
  auto& block = ctx.client.block;
  block.active = true;
  block.deadline_ms = a.deadline_ms;
  block.keys.clear();
  for (size_t k = 0; k < a.stream_count; ++k) {
    block.keys.emplace_back(ctx.client.db, std::string(ctx.argv[a.streams_at + k]));
  }
}

void Xreadgroup(CommandContext& ctx) {
  ReadGroupArgs a;
  if (!ParseReadGroupArgs(ctx, &a)) return;
  std::vector<ReadTarget> targets;
  Resolve resolved = ResolveTargets(ctx, a, &targets);
  if (resolved == Resolve::kStayBlocked) return BlockReadGroup(ctx, a);
  if (resolved == Resolve::kReplied) return;
  int64_t ready = std::count_if(targets.begin(), targets.end(), Servable);
  if (ready == 0) {
    if (a.block && !ctx.client.in_exec) return BlockReadGroup(ctx, a);
    return ctx.reply.NullArray();
  }
  bool resp2 = ctx.client.protocol_version < 3;
  resp2 ? ctx.reply.ArrayHeader(ready) : ctx.reply.MapHeader(ready);
  for (const ReadTarget& t : targets) {
    if (!Servable(t)) continue;
    if (resp2) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(t.key);
    t.after ? ServeHistory(ctx, a, t) : ServeNew(ctx, a, t);
  }
}

}  // namespace

// XPENDING, XCLAIM and XAUTOCLAIM live in stream_claim_commands.cc.
void RegisterStreamClaimCommands(CommandRegistry& r);

void RegisterStreamGroupCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"xgroup", -2, kWrite, 2, 2, 1, Xgroup});
  r.Add({"xreadgroup", -7, kWrite | kMayBlock, 0, 0, 0, Xreadgroup});
  r.Add({"xack", -4, kWrite | kFast, 1, 1, 1, Xack});
  RegisterStreamClaimCommands(r);
}

}  // namespace strongbox::engine
