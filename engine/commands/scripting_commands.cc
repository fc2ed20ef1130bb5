// Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT. The Lua engine (engine/scripting) runs the
// script; this file is its host: redis.call runs a command as the script's own client through
// the dispatcher, into the caller's EffectSink, so every write of a script is an effect in the
// one record of its EVAL (replay never runs Lua) and the reply waits for that record.
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/commands/script_host.h"

namespace strongbox::engine {
namespace {

// EVAL script numkeys key... arg... (and the _RO / SHA forms): Redis 7.0's checks and texts.
void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  auto numkeys = ParseInt(ctx.argv[2]);
  if (!numkeys) return ctx.reply.Error(kErrNotInteger);
  if (*numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  if (*numkeys > static_cast<int64_t>(ctx.argv.size()) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  scripting::LuaEngine& lua = SharedLua();
  std::string sha;
  if (by_sha) {
    sha = ToLower(ctx.argv[1]);
    if (lua.Find(sha) == nullptr) {
      return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
    }
  } else {
    std::string error;
    if (!lua.Load(ctx.argv[1], &sha, &error)) return ctx.reply.Error(error);
  }
  const scripting::ScriptFlags& flags = *lua.Find(sha);
  if (flags.shebang && !flags.no_writes && !read_only && RefusedForReplicas(ctx)) return;
  ScriptCallHost host(ctx, read_only || flags.no_writes);
  auto keys = ctx.argv.subspan(3, static_cast<size_t>(*numkeys));
  auto args = ctx.argv.subspan(3 + static_cast<size_t>(*numkeys));
  lua.Run(sha, keys, args, host, ctx.reply);
}

void Eval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void EvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void EvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void EvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void ScriptFlush(CommandContext& ctx) {
  if (ctx.argv.size() == 3 && !EqualsIgnoreCase(ctx.argv[2], "sync") &&
      !EqualsIgnoreCase(ctx.argv[2], "async")) {
    return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ResetSharedLua();  // the next script creates a fresh state; ASYNC is as quick as SYNC
  ctx.reply.SimpleString("OK");
}

void Script(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  size_t argc = ctx.argv.size();
  if (sub == "load" && argc == 3) {
    std::string sha, error;
    if (!SharedLua().Load(ctx.argv[2], &sha, &error)) return ctx.reply.Error(error);
    return ctx.reply.Bulk(sha);
  }
  if (sub == "exists" && argc >= 3) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(argc - 2));
    for (size_t i = 2; i < argc; ++i) {
      bool cached = SharedLua().Find(ToLower(ctx.argv[i])) != nullptr;
      ctx.reply.Integer(cached ? 1 : 0);
    }
    return;
  }
  if (sub == "flush" && argc <= 3) return ScriptFlush(ctx);
  // A script never runs while this command does: there is nothing to kill (BUSY comes later).
  if (sub == "kill" && argc == 2)
    return ctx.reply.Error("NOTBUSY No scripts in execution right now.");
  if (sub == "load" || sub == "exists" || sub == "flush" || sub == "kill") {
    return ctx.reply.Error("ERR wrong number of arguments for 'script|" + sub + "' command");
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try SCRIPT HELP.");
}

}  // namespace

void RegisterScriptingCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"eval", -3, kNoScript | kRunsScript, 0, 0, 0, Eval});
  r.Add({"evalsha", -3, kNoScript | kRunsScript, 0, 0, 0, EvalSha});
  r.Add({"eval_ro", -3, kNoScript | kRunsScript, 0, 0, 0, EvalRo});
  r.Add({"evalsha_ro", -3, kNoScript | kRunsScript, 0, 0, 0, EvalShaRo});
  // kNoReplicaAck (command.h): the script cache is not in the log (SHA1s, OK); SCRIPT KILL
  // must reach a primary whose replicas are gone.
  r.Add({"script", -2, kNoScript | kNoReplicaAck, 0, 0, 0, Script});
}

}  // namespace strongbox::engine
