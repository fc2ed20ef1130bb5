// Server commands: INFO DBSIZE FLUSHDB FLUSHALL TIME, and COMMAND (command_introspection.cc).
#include <sys/time.h>

#include "absl/strings/str_cat.h"
#include "engine/commands/command_introspection.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/monitor_feed.h"

namespace strongbox::engine {
namespace {

// INFO [section ...]: Redis 7.0 takes several sections in one call (engine/server/info_sections).
void Info(CommandContext& ctx) {
  std::string sections;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    // A space inside an argument would split it: such a name matches no section anyway.
    if (ctx.argv[i].find(' ') != std::string_view::npos) continue;
    absl::StrAppend(&sections, i > 1 ? " " : "", ToLower(ctx.argv[i]));
  }
  ctx.reply.Verbatim(ctx.server.InfoSection(sections));
}

void Dbsize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(CurrentDb(ctx).size())); }

// SYNC, ASYNC and neither all return once the database's table is handed to the lazy-free
// thread (common/state/lazy_free.h), which frees it later: unlike Redis, SYNC does not wait
// for the memory to be released, so that no flush stalls the loop. The keys are gone for
// every client at once either way; only INFO's memory figures lag.
void Flushdb(CommandContext& ctx) {
  if (ctx.argv.size() > 2 || (ctx.argv.size() == 2 && !EqualsIgnoreCase(ctx.argv[1], "sync") &&
                              !EqualsIgnoreCase(ctx.argv[1], "async"))) {
    return ctx.reply.Error(kErrSyntax);
  }
  Apply(ctx, {"FLUSHDB"});
  ctx.reply.SimpleString("OK");
}

void Flushall(CommandContext& ctx) {
  if (ctx.argv.size() > 2 || (ctx.argv.size() == 2 && !EqualsIgnoreCase(ctx.argv[1], "sync") &&
                              !EqualsIgnoreCase(ctx.argv[1], "async"))) {
    return ctx.reply.Error(kErrSyntax);
  }
  Apply(ctx, {"FLUSHALL"});
  ctx.reply.SimpleString("OK");
}

void Time(CommandContext& ctx) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(tv.tv_sec));
  ctx.reply.Bulk(std::to_string(tv.tv_usec));
}

}  // namespace

void RegisterServerCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  // kNoReplicaAck (command.h): counters and server state Sentinel polls; its keyspace counts
  // and LSNs may include a write still waiting for replicas (docs/architecture.md).
  r.Add({"info", -1, kNoReplicaAck, 0, 0, 0, Info});
  r.Add({"dbsize", 1, kReadonly | kFast, 0, 0, 0, Dbsize});
  r.Add({"flushdb", -1, kWrite, 0, 0, 0, Flushdb});
  r.Add({"flushall", -1, kWrite, 0, 0, 0, Flushall});
  r.Add({"time", 1, kFast | kStateless, 0, 0, 0, Time});
  r.Add({"command", -1, kNoReplicaAck, 0, 0, 0, CommandCommand});  // the static command table
  r.Add({"monitor", 1, kAdmin | kNoScript, 0, 0, 0, MonitorCommand});
}

}  // namespace strongbox::engine
