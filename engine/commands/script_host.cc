// The shared Lua state and the host of a running script's redis.call.
#include "engine/commands/script_host.h"

#include <cstdio>
#include <memory>

#include "engine/acl/acl_gate.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/replication/replication_hooks.h"

namespace strongbox::engine {
namespace {

std::unique_ptr<scripting::LuaEngine>& LuaSlot() {
  static auto* slot = new std::unique_ptr<scripting::LuaEngine>();
  return *slot;
}

}  // namespace

scripting::LuaEngine& SharedLua() {
  if (!LuaSlot()) LuaSlot() = std::make_unique<scripting::LuaEngine>();
  return *LuaSlot();
}

void ResetSharedLua() { LuaSlot().reset(); }

bool RefusedForReplicas(CommandContext& ctx) {
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr || repl->enough_good_replicas()) return false;
  ctx.reply.Error(kErrNoReplicas);
  return true;
}

ScriptCallHost::ScriptCallHost(CommandContext& caller, bool read_only, bool is_function)
    : caller_(caller),
      read_only_(read_only),
      is_function_(is_function),
      threshold_ms_(BusyReplyThresholdMs()),
      effects_(caller.effects) {
  client_.id = caller.client.id;
  client_.db = caller.client.db;
  client_.authenticated = true;
  client_.user = caller.client.user;  // redis.call obeys the caller's ACL
  client_.in_exec = true;
  client_.in_script = true;
}

void ScriptCallHost::Call(std::span<const std::string_view> argv, int resp_version,
                          std::string* reply) {
  RespWriter out(reply, resp_version);
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr) return out.Error("ERR Unknown Redis command called from script");
  if (!ArityOk(*spec, argv.size())) {
    return out.Error("ERR Wrong number of args calling Redis command from script");
  }
  // Blocking commands Redis allows in scripts (XREAD, BLMPOP, ...) run as inside EXEC: they
  // answer at once instead of waiting.
  if (spec->flags & (kNoScript | kNoMulti | kNoAuth)) {
    return out.Error("ERR This Redis command is not allowed from script");
  }
  if ((spec->flags & kWrite) && read_only_) {
    return out.Error("ERR Write commands are not allowed from read-only scripts.");
  }
  // Redis 7.0 (scriptVerifyOOM): over maxmemory when the script started, a command that may
  // grow memory is refused until the script has written (a half-done script may finish).
  if ((spec->flags & kDenyOom) && !wrote() && caller_.server.out_of_memory()) {
    return out.Error(kErrOom);
  }
  client_.protocol_version = resp_version;
  CommandContext sub{argv, client_, caller_.state, out, effects_, caller_.server, caller_.now_ms};
  if (!AclAdmits(sub, *spec, AclWhere::kScript)) return;
  DispatchQueued(sub);
}

void ScriptCallHost::Log(int level, std::string_view message) {
  static constexpr const char* kLevels[] = {"debug", "verbose", "notice", "warning"};
  if (level < 2) return;  // the engine logs at notice and above, as Redis's default
  std::fprintf(stderr, "strongbox-engine: script %s: %.*s\n", kLevels[level],
               static_cast<int>(message.size()), message.data());
}

}  // namespace strongbox::engine
