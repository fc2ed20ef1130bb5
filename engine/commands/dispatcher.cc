// Command dispatch and transactions.
#include "engine/commands/dispatcher.h"

#include "absl/strings/str_cat.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

bool ArityOk(const CommandSpec& spec, size_t argc) {
  return spec.arity > 0 ? argc == static_cast<size_t>(spec.arity)
                        : argc >= static_cast<size_t>(-spec.arity);
}

std::string UnknownCommand(std::span<const std::string_view> argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    absl::StrAppend(&args, "'", std::string(argv[i].substr(0, 128)), "' ");
  }
  return absl::StrCat("ERR unknown command '", std::string(argv[0].substr(0, 128)),
                      "', with args beginning with: ", args);
}

void ResetMulti(CommandContext& ctx) {
  ctx.client.in_multi = false;
  ctx.client.multi_error = false;
  ctx.client.multi_queue.clear();
  ctx.server.UnwatchAll(ctx.client);
  ctx.client.watch_dirty = false;
}

// Checks that do not depend on MULTI: returns false after writing the error.
bool Admit(CommandContext& ctx, const CommandSpec& spec) {
  if (ctx.server.password_required() && !ctx.client.authenticated && !(spec.flags & kNoAuth)) {
    ctx.reply.Error("NOAUTH Authentication required.");
    return false;
  }
  if ((spec.flags & kWrite) && ctx.server.read_only()) {
    ctx.reply.Error(absl::StrCat("MISCONF ", ctx.server.read_only_reason()));
    return false;
  }
  return true;
}

void Exec(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR EXEC without MULTI");
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
    const CommandSpec* spec = FindCommand(argv[0]);
    CommandContext sub{argv, ctx.client, ctx.state, ctx.reply, ctx.effects, ctx.server, ctx.now_ms};
    if (!Admit(sub, *spec)) continue;
    spec->handler(sub);
  }
  ctx.client.in_exec = false;
}

}  // namespace

void Dispatch(CommandContext& ctx) {
  if (ctx.argv.empty()) return;
  const CommandSpec* spec = FindCommand(ctx.argv[0]);
  std::string_view name = spec ? spec->name : std::string_view();
  bool control = name == "exec" || name == "discard" || name == "multi" || name == "watch" ||
                 name == "quit" || name == "unwatch";
  if (ctx.client.in_multi && !control) {
    if (spec == nullptr) {
      ctx.client.multi_error = true;
      return ctx.reply.Error(UnknownCommand(ctx.argv));
    }
    if (!ArityOk(*spec, ctx.argv.size())) {
      ctx.client.multi_error = true;
      return ctx.reply.Error(
          absl::StrCat("ERR wrong number of arguments for '", std::string(name), "' command"));
    }
    if (ctx.server.password_required() && !ctx.client.authenticated) {
      ctx.client.multi_error = true;
      return ctx.reply.Error("NOAUTH Authentication required.");
    }
    ctx.client.multi_queue.emplace_back(ctx.argv.begin(), ctx.argv.end());
    return ctx.reply.SimpleString("QUEUED");
  }
  if (spec == nullptr) return ctx.reply.Error(UnknownCommand(ctx.argv));
  if (!ArityOk(*spec, ctx.argv.size())) {
    return ctx.reply.Error(
        absl::StrCat("ERR wrong number of arguments for '", std::string(name), "' command"));
  }
  if (!Admit(ctx, *spec)) return;
  if (name == "exec") return Exec(ctx);
  if (name == "discard") {
    if (!ctx.client.in_multi) return ctx.reply.Error("ERR DISCARD without MULTI");
    ResetMulti(ctx);
    return ctx.reply.SimpleString("OK");
  }
  spec->handler(ctx);
}

}  // namespace strongbox::engine
