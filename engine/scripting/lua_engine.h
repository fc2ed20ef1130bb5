// One Lua state per server (SCRIPT FLUSH replaces it): the sandbox, the script cache (SHA1 ->
// compiled function), and running a script with KEYS/ARGV into a reply. Memory is capped (an
// allocation past the cap fails the script, never the engine) and time is watched by a count
// hook (see ScriptLimits). Function libraries (FUNCTION LOAD) live in the same state: their
// Lua side is in lua_functions.cc; the State's library map is the truth, this is a cache of
// compiled code that can always be rebuilt from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/protocol/resp_writer.h"
#include "engine/scripting/function_metadata.h"
#include "engine/scripting/lua_redis_lib.h"
#include "engine/scripting/script_body.h"

struct lua_State;
struct lua_Debug;

namespace strongbox::scripting {

struct ScriptLimits {
  size_t memory_bytes_max = size_t{256} << 20;
  // Past the host's busy threshold a running script lets the server serve other clients (BUSY
  // replies, SCRIPT KILL) this often; it is never stopped for time alone, as in Redis.
  static constexpr int64_t kBusyPollIntervalMs = 100;
};

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // FunctionFlag bits
  int function_ref = 0;
};

struct LibraryInfo {
  std::string name;
  std::string code;  // FUNCTION LOAD's whole text, shebang included
  std::vector<FunctionInfo> functions;
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

  // FUNCTION LOAD [REPLACE]: compiles `code`, runs it so it registers its functions, checks
  // Redis 7.0's rules (name taken, no function, a function name another library has) and on
  // success adds or replaces the library and sets *name. Errors carry Redis's text ("ERR ...").
  bool LoadLibrary(std::string_view code, bool replace, std::string* name, std::string* error);
  bool DeleteLibrary(std::string_view name);
  void FlushLibraries();
  const std::map<std::string, LibraryInfo>& libraries() const { return libraries_; }
  // The function called `name` (case-sensitive, as Redis), or nullptr.
  const FunctionInfo* FindFunction(std::string_view name) const;
  // Runs a function with (keys, args) as its two arguments; reply or error as Run's.
  void RunFunction(const FunctionInfo& function, std::span<const std::string_view> keys,
                   std::span<const std::string_view> args, ScriptHost& host,
                   engine::RespWriter& reply);
  // The State::libraries_version() the compiled libraries match (none yet: compile them).
  std::optional<uint64_t> libraries_version;

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
  struct LoadArgs;
  void RunRef(int function_ref, bool pass_arguments, std::string_view name,
              std::span<const std::string_view> keys, std::span<const std::string_view> args,
              ScriptHost& host, engine::RespWriter& reply);
  void PushLoadGlobals();
  void ReleaseLibrary(const LibraryInfo& library);
  static int RegisterFunction(lua_State* L);
  static void LoadHook(lua_State* L, lua_Debug* ar);
  static int LoadProtected(lua_State* L);
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
  std::map<std::string, LibraryInfo> libraries_;
  absl::flat_hash_map<std::string, const FunctionInfo*> functions_;  // into libraries_
  LibraryInfo* loading_ = nullptr;
  FunctionInfo registering_;  // the library FUNCTION LOAD is running, for the register call
  int64_t load_started_ms_ = 0;
};

}  // namespace strongbox::scripting
