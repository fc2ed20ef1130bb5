// Server commands: INFO DBSIZE FLUSHDB FLUSHALL TIME COMMAND.
#include <sys/time.h>

#include "absl/strings/str_cat.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

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

void CommandInfo(CommandContext& ctx, const CommandSpec& c) {
  ctx.reply.ArrayHeader(10);
  ctx.reply.Bulk(c.name);
  ctx.reply.Integer(c.arity);
  std::vector<std::string_view> flags;
  if (c.flags & kWrite) flags.push_back("write");
  if (c.flags & kReadonly) flags.push_back("readonly");
  if (c.flags & kDenyOom) flags.push_back("denyoom");
  if (c.flags & kAdmin) flags.push_back("admin");
  if (c.flags & kFast) flags.push_back("fast");
  if (c.flags & kNoAuth) flags.push_back("no_auth");
  if (c.flags & kMayBlock) flags.push_back("blocking");
  ctx.reply.SetHeader(static_cast<int64_t>(flags.size()));
  for (auto f : flags) ctx.reply.SimpleString(f);
  ctx.reply.Integer(c.first_key);
  ctx.reply.Integer(c.last_key);
  ctx.reply.Integer(c.key_step);
  ctx.reply.SetHeader(0);    // ACL categories
  ctx.reply.SetHeader(0);    // tips
  ctx.reply.ArrayHeader(0);  // key specs
  ctx.reply.ArrayHeader(0);  // subcommands
}

void Command(CommandContext& ctx) {
  auto all = AllCommands();
  std::string sub = ctx.argv.size() > 1 ? ToLower(ctx.argv[1]) : "";
  if (sub.empty() || sub == "info") {
    if (sub.empty() || ctx.argv.size() == 2) {
      ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
      for (const auto& c : all) CommandInfo(ctx, c);
      return;
    }
    ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
    for (size_t i = 2; i < ctx.argv.size(); ++i) {
      const CommandSpec* c = FindCommand(ctx.argv[i]);
      c ? CommandInfo(ctx, *c) : ctx.reply.NullArray();
    }
    return;
  }
  if (sub == "count") return ctx.reply.Integer(static_cast<int64_t>(all.size()));
  if (sub == "list") {
    ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
    for (const auto& c : all) ctx.reply.Bulk(c.name);
    return;
  }
  if (sub == "docs") {
    // redis-cli asks for docs to drive hints; an empty map is a valid "no docs" answer.
    return ctx.reply.MapHeader(0);
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try COMMAND HELP.");
}

}  // namespace

void RegisterServerCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"info", -1, 0, 0, 0, 0, Info});
  r.Add({"dbsize", 1, kReadonly | kFast, 0, 0, 0, Dbsize});
  r.Add({"flushdb", -1, kWrite, 0, 0, 0, Flushdb});
  r.Add({"flushall", -1, kWrite, 0, 0, 0, Flushall});
  r.Add({"time", 1, kFast | kStateless, 0, 0, 0, Time});
  r.Add({"command", -1, 0, 0, 0, 0, Command});
}

}  // namespace strongbox::engine
