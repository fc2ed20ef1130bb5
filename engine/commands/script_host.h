// What EVAL and FCALL share: the server's one Lua state and the host a running script's
// redis.call reaches (a command run as the script's own client, into the caller's record).
#pragma once

#include "engine/commands/command.h"
#include "engine/scripting/lua_engine.h"

namespace strongbox::engine {

// The one Lua state of the server, created on first use.
scripting::LuaEngine& SharedLua();
// SCRIPT FLUSH: the next use creates a fresh state (function libraries are compiled again from
// the State's library map, see function_commands.cc).
void ResetSharedLua();

// CONFIG busy-reply-threshold (alias lua-time-limit), in ms (admin_commands.cc).
int64_t BusyReplyThresholdMs();
void SetBusyReplyThresholdMs(int64_t threshold_ms);  // CONFIG SET busy-reply-threshold

// Passes the script's effects on to the caller's record and notes that the script wrote.
class WriteTracker final : public EffectSink {
 public:
  explicit WriteTracker(EffectSink& record) : record_(record) {}
  using EffectSink::Emit;
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    wrote_ = true;
    record_.Emit(db, argv);
  }
  bool wrote() const { return wrote_; }

 private:
  EffectSink& record_;
  bool wrote_ = false;
};

// A script declared writable (a function, or a shebang script without no-writes) is refused
// before it runs when too few replicas are good, as Redis: writes the error and returns true.
bool RefusedForReplicas(CommandContext& ctx);

// What a script's redis.call reaches. The script has its own client: SELECT inside it does not
// change the caller's database, and blocking commands are refused before they could block.
class ScriptCallHost final : public scripting::ScriptHost {
 public:
  ScriptCallHost(CommandContext& caller, bool read_only, bool is_function = false);
  void Call(std::span<const std::string_view> argv, int resp_version, std::string* reply) override;
  bool wrote() const override { return effects_.wrote(); }
  void Log(int level, std::string_view message) override;
  int64_t busy_threshold_ms() const override { return threshold_ms_; }
  bool WhileBusy() override { return caller_.server.ServeWhileScriptBusy(is_function_, wrote()); }

 private:
  CommandContext& caller_;
  bool read_only_;
  bool is_function_;
  int64_t threshold_ms_;
  WriteTracker effects_;
  ClientSession client_;
};

}  // namespace strongbox::engine
