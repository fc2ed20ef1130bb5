// Transactions: MULTI EXEC DISCARD WATCH UNWATCH. The dispatcher queues commands inside MULTI
// (all but these, flagged kNoMulti); EXEC runs the queue into the one record of its call.
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"

namespace strongbox::engine {
namespace {

void ResetMulti(CommandContext& ctx) {
  ctx.client.in_multi = false;
  ctx.client.multi_error = false;
  ctx.client.multi_queue.clear();
  ctx.server.UnwatchAll(ctx.client);
  ctx.client.watch_dirty = false;
}

void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR MULTI calls can not be nested");
  ctx.client.in_multi = true;
  ctx.client.multi_error = false;
  ctx.client.multi_queue.clear();
  ctx.reply.SimpleString("OK");
}

// Redis 7.0 evicts before an EXEC whose queue may grow memory, and aborts it if that fails.
bool QueueMayGrowMemory(const ClientSession& client) {
  for (const auto& cmd : client.multi_queue) {
    const CommandSpec* spec = FindCommand(cmd[0]);
    if (spec != nullptr && (spec->flags & kDenyOom)) return true;
  }
  return false;
}

void Exec(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR EXEC without MULTI");
  if (QueueMayGrowMemory(ctx.client) && !ctx.server.FreeMemoryIfNeeded(ctx.effects, ctx.now_ms)) {
    ResetMulti(ctx);
    return ctx.reply.Error("EXECABORT Transaction discarded because of: " + std::string(kErrOom));
  }
  if (ctx.client.multi_error) {
    ResetMulti(ctx);
    return ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (ctx.client.watch_dirty) {
    ResetMulti(ctx);
    return ctx.reply.NullArray();
  }
  auto queue = std::move(ctx.client.multi_queue);
  ResetMulti(ctx);
  ctx.reply.ArrayHeader(static_cast<int64_t>(queue.size()));
  ctx.client.in_exec = true;
  std::vector<std::string_view> argv;
  for (const auto& cmd : queue) {
    argv.assign(cmd.begin(), cmd.end());
    CommandContext sub{argv, ctx.client, ctx.state, ctx.reply, ctx.effects, ctx.server, ctx.now_ms};
    DispatchQueued(sub);
  }
  ctx.client.in_exec = false;
}

void Discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR DISCARD without MULTI");
  ResetMulti(ctx);
  ctx.reply.SimpleString("OK");
}

void Watch(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    ctx.server.Watch(ctx.client, ctx.client.db, ctx.argv[i]);
  }
  ctx.reply.SimpleString("OK");
}

void Unwatch(CommandContext& ctx) {
  ctx.server.UnwatchAll(ctx.client);
  ctx.client.watch_dirty = false;
  ctx.reply.SimpleString("OK");
}

}  // namespace

void RegisterTransactionCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"multi", 1, kFast | kNoMulti | kNoScript, 0, 0, 0, Multi});
  r.Add({"exec", 1, kNoMulti | kNoSlowlog | kNoScript, 0, 0, 0, Exec});
  r.Add({"discard", 1, kFast | kNoMulti | kNoScript, 0, 0, 0, Discard});
  r.Add({"watch", -2, kFast | kNoMulti | kNoScript, 1, -1, 1, Watch});
  r.Add({"unwatch", 1, kFast | kNoMulti | kNoScript, 0, 0, 0, Unwatch});
}

}  // namespace strongbox::engine
