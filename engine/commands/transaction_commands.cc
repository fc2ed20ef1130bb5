// MULTI WATCH UNWATCH (EXEC and DISCARD live in the dispatcher, which owns the queue).
#include "engine/commands/command_util.h"
#include "engine/commands/handlers.h"

namespace strongbox::engine::handlers {

void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR MULTI calls can not be nested");
  ctx.client.in_multi = true;
  ctx.client.multi_error = false;
  ctx.client.multi_queue.clear();
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

}  // namespace strongbox::engine::handlers
