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

// The flags of the queued commands together (Redis's mstate.cmd_flags): any of them has the
// flags of `any`, all of them those of `all`.
struct QueueFlags {
  uint32_t any = 0;
  uint32_t all = ~0u;
};

QueueFlags FlagsOfQueue(const ClientSession& client) {
  QueueFlags flags;
  for (const auto& cmd : client.multi_queue) {
    const CommandSpec* spec = FindCommand(cmd[0]);
    if (spec == nullptr) continue;
    flags.any |= spec->flags;
    flags.all &= spec->flags;
  }
  return flags;
}

void Exec(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR EXEC without MULTI");
  constexpr std::string_view kAbort = "EXECABORT Transaction discarded because of: ";
  QueueFlags queue_flags = FlagsOfQueue(ctx.client);
  // Redis 7.0 evicts before an EXEC whose queue may grow memory, and aborts it if that fails.
  if ((queue_flags.any & kDenyOom) && !ctx.server.FreeMemoryIfNeeded(ctx.effects, ctx.now_ms)) {
    ResetMulti(ctx);
    return ctx.reply.Error(std::string(kAbort).append(kErrOom));
  }
  // The replicas went (or the node became a replica) since the writes were queued.
  if (std::string_view refusal = ReplicaRefusal(ctx, queue_flags.any); !refusal.empty()) {
    ResetMulti(ctx);
    return ctx.reply.Error(std::string(kAbort).append(refusal));
  }
  if (ctx.client.multi_error) {
    ResetMulti(ctx);
    return ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (ctx.client.watch_dirty) {
    ResetMulti(ctx);
    return ctx.reply.NullArray();
  }
  // Sentinel's MULTI SLAVEOF / CONFIG REWRITE / CLIENT KILL EXEC: replies that reveal no data a
  // record wrote make one that does not either (command.h kNoReplicaAck).
  ctx.client.reply_no_replica_ack = (queue_flags.all & kNoReplicaAck) != 0;
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
  // kNoReplicaAck (command.h): an OK reveals no data (EXEC decides per queue, in Exec).
  r.Add({"multi", 1, kFast | kNoMulti | kNoScript | kNoReplicaAck, 0, 0, 0, Multi});
  r.Add({"exec", 1, kNoMulti | kNoSlowlog | kNoScript, 0, 0, 0, Exec});
  r.Add({"discard", 1, kFast | kNoMulti | kNoScript | kNoReplicaAck, 0, 0, 0, Discard});
  r.Add({"watch", -2, kFast | kNoMulti | kNoScript | kNoReplicaAck, 1, -1, 1, Watch});
  r.Add({"unwatch", 1, kFast | kNoMulti | kNoScript | kNoReplicaAck, 0, 0, 0, Unwatch});
}

}  // namespace strongbox::engine
