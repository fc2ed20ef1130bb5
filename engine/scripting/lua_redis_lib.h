// The `redis` table scripts see: call, pcall, error_reply, status_reply, sha1hex, log,
// setresp, the compatibility no-ops (replicate_commands, set_repl, breakpoint, debug) and the
// LOG_* / REPL_* constants.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace strongbox::scripting {

// What redis.call/pcall and redis.log reach: the scripting commands run the command.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // Runs argv as the script's client; appends its reply, encoded in RESP `resp_version`, to
  // *reply. Every refusal (unknown command, not allowed from scripts...) is an error reply.
  virtual void Call(std::span<const std::string_view> argv, int resp_version,
                    std::string* reply) = 0;
  virtual bool wrote() const = 0;  // a command the script called emitted an effect
  virtual void Log(int level, std::string_view message) = 0;
  // busy-reply-threshold: how long a script runs before other clients are served with BUSY.
  virtual int64_t busy_threshold_ms() const = 0;
  // Called about every kBusyPollIntervalMs once the script is past the threshold: lets the
  // server serve other clients; true when SCRIPT KILL / FUNCTION KILL stopped the script.
  virtual bool WhileBusy() = 0;
};

// The state of the script being run, shared by the redis table's functions and the time hook.
// Buffers live here, not on C frames a Lua error could unwind past.
struct RunContext {
  ScriptHost* host = nullptr;
  int resp = 2;  // redis.setresp; every script starts at 2
  int64_t started_ms = 0;
  int64_t busy_polled_ms = 0;  // when the server last served others during this script
  bool stopped = false;        // killed: every hook and call raises from now on
  uint64_t random_state = 0;   // math.random's generator (lua_random.h)
  std::vector<std::string_view> argv;
  std::string reply;
};

// Creates the `redis` global (in the table on top of the stack: the real globals).
void OpenRedisLib(lua_State* L, RunContext* ctx);

}  // namespace strongbox::scripting
