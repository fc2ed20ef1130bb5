// One Lua state per server (SCRIPT FLUSH replaces it): the sandbox, the script cache (SHA1 ->
// compiled function), and running a script with KEYS/ARGV into a reply. Memory is capped (an
// allocation past the cap fails the script, never the engine) and time is watched by a count
// hook (see ScriptLimits). FUNCTION/FCALL and BUSY/SCRIPT KILL would add to this class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "engine/protocol/resp_writer.h"
#include "engine/scripting/lua_redis_lib.h"
#include "engine/scripting/script_body.h"

struct lua_State;
struct lua_Debug;

namespace strongbox::scripting {

struct ScriptLimits {
  size_t memory_bytes_max = size_t{256} << 20;
  // Nothing else runs while a script runs (no BUSY replies yet). A script that has not written
  // is stopped with an error after this long; one that has written gets kWrittenFactor times
  // longer, then is stopped too: its writes so far stay (as after any script error) and are
  // logged in the one record of its EVAL, so replay matches what clients saw.
  int64_t time_limit_ms = 5000;
  static constexpr int64_t kWrittenFactor = 12;
};

class LuaEngine {
 public:
  explicit LuaEngine(ScriptLimits limits = {});
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles `body` into the cache unless it is there; *sha is its SHA1. On failure returns
  // false with Redis's error text ("ERR Error compiling script (new function): ...").
  bool Load(std::string_view body, std::string* sha, std::string* error);
  // The flags of a cached script, or nullptr when `sha` (lower case) is not cached.
  const ScriptFlags* Find(std::string_view sha) const;
  // Runs the cached script `sha` (Find() != nullptr) and writes its reply, or its error in
  // Redis's form ("<error> script: <sha>, on @user_script:<line>."), to `reply`.
  void Run(std::string_view sha, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, ScriptHost& host, engine::RespWriter& reply);

  size_t memory_bytes() const { return alloc_.bytes; }
  size_t script_count() const { return scripts_.size(); }

 private:
  struct Allocator {
    size_t bytes = 0;
    size_t bytes_max = 0;
  };
  struct Script {
    int function_ref;
    ScriptFlags flags;
  };
  struct RunArgs;
  static void* Allocate(void* ud, void* ptr, size_t old_bytes, size_t new_bytes);
  static void TimeHook(lua_State* L, lua_Debug* ar);
  static int CompileProtected(lua_State* L);
  static int RunProtected(lua_State* L);

  ScriptLimits limits_;
  Allocator alloc_;
  lua_State* L_ = nullptr;
  int globals_ref_ = 0;
  RunContext run_;
  absl::flat_hash_map<std::string, Script> scripts_;
};

}  // namespace strongbox::scripting
