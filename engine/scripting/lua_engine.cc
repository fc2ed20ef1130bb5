// The Lua state's life, the script cache and the protected run of one script.
#include "engine/scripting/lua_engine.h"

#include <chrono>
#include <cstdlib>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "common/util/check.h"
#include "engine/scripting/lua_random.h"
#include "engine/scripting/lua_resp.h"
#include "engine/scripting/lua_sandbox.h"

namespace strongbox::scripting {
namespace {

char kEngineKey;  // registry key (its address) of the LuaEngine, for the time hook

// Instructions between two looks at the clock: cheap, and a few ms at most between looks.
constexpr int kHookInstructions = 100000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Every Lua call that may fail runs protected (lua_cpcall), so reaching this is a bug.
int Panic(lua_State* L) {
  SB_CHECK(false, "unprotected Lua error: %s", lua_tostring(L, -1));
  return 0;
}

// Converts any error into an error table and records where in the script it happened.
int ErrorHandler(lua_State* L) {
  if (!lua_istable(L, 1)) {
    // As Lua's tostring() would write it: error() raises nil, error(false) a boolean.
    const char* text = lua_tostring(L, 1);
    if (text == nullptr && lua_isboolean(L, 1)) text = lua_toboolean(L, 1) ? "true" : "false";
    if (text == nullptr) text = lua_typename(L, lua_type(L, 1));
    PushErrorTable(L, text);
    lua_replace(L, 1);
  }
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    std::string_view source = lua_getinfo(L, "Sl", &ar) ? ar.source : "";
    if (source == "@user_script" || source == "@user_function") {
      lua_pushstring(L, ar.source);
      lua_setfield(L, 1, "source");
      lua_pushnumber(L, ar.currentline);
      lua_setfield(L, 1, "line");
      break;
    }
  }
  lua_settop(L, 1);
  return 1;
}

std::string StringField(lua_State* L, int table, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, table);  // raw: a script's error table may carry metamethods
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  std::string out = s != nullptr ? std::string(s, len) : std::string();
  lua_pop(L, 1);
  return out;
}

// Redis 7.0's form of a script error: "<err> script: <sha>, on @user_script:<line>.".
std::string ScriptErrorText(lua_State* L, std::string_view sha) {
  std::string err, source, line;
  if (lua_istable(L, -1)) {
    int t = lua_gettop(L);
    err = StringField(L, t, "err");
    source = StringField(L, t, "source");
    line = StringField(L, t, "line");
  } else if (const char* s = lua_tostring(L, -1)) {
    err = ErrorTableText(s);
  }
  if (err.empty()) err = "ERR unknown error";
  std::string text = err + " script: " + std::string(sha);
  if (!source.empty()) text += ", on " + source + ":" + line;
  return text + ".";
}

struct CompileArgs {
  std::string_view code;
  int ref = LUA_NOREF;
  std::string* error;
};

}  // namespace

struct LuaEngine::RunArgs {
  LuaEngine* self;
  int function_ref;
  bool pass_arguments;  // a function gets (keys, args); a script reads KEYS and ARGV
  std::string_view sha;
  std::span<const std::string_view> keys;
  std::span<const std::string_view> args;
  std::string* out;
  int client_resp;
};

LuaEngine::LuaEngine(ScriptLimits limits) : limits_(limits) {
  alloc_.bytes_max = limits.memory_bytes_max;
  L_ = lua_newstate(&LuaEngine::Allocate, &alloc_);
  SB_CHECK(L_ != nullptr, "cannot create the Lua state");
  lua_atpanic(L_, Panic);
  // Like Redis 7.0, scripts share one sequence from the state's start; none is reseeded (their
  // writes are logged as effects, so replay does not depend on what they drew).
  run_.random_state = Rand48Seed(0);
  lua_pushlightuserdata(L_, &kEngineKey);
  lua_pushlightuserdata(L_, this);
  lua_rawset(L_, LUA_REGISTRYINDEX);
  globals_ref_ = OpenSandbox(
      L_,
      [](lua_State* L, void* arg) {
        auto* ctx = static_cast<RunContext*>(arg);
        OpenRedisLib(L, ctx);
        OpenRandom(L, &ctx->random_state);
      },
      &run_);
}

LuaEngine::~LuaEngine() { lua_close(L_); }

void* LuaEngine::Allocate(void* ud, void* ptr, size_t old_bytes, size_t new_bytes) {
  auto* a = static_cast<Allocator*>(ud);
  if (new_bytes == 0) {
    std::free(ptr);
    a->bytes -= old_bytes;
    return nullptr;
  }
  // Past the cap Lua sees a failed allocation: a "not enough memory" error in the script.
  if (new_bytes > old_bytes && a->bytes + (new_bytes - old_bytes) > a->bytes_max) return nullptr;
  void* p = std::realloc(ptr, new_bytes);
  if (p == nullptr) return nullptr;
  a->bytes = a->bytes - old_bytes + new_bytes;
  return p;
}

int LuaEngine::CompileProtected(lua_State* L) {
  auto* c = static_cast<CompileArgs*>(lua_touserdata(L, 1));
  if (luaL_loadbuffer(L, c->code.data(), c->code.size(), "@user_script") != 0) {
    *c->error = std::string("ERR Error compiling script (new function): ") + lua_tostring(L, -1);
    return 0;
  }
  c->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

bool LuaEngine::Load(std::string_view body, std::string* sha, std::string* error) {
  *sha = Sha1Hex(body);
  if (scripts_.contains(*sha)) return true;
  ScriptFlags flags;
  CompileArgs compile{{}, LUA_NOREF, error};
  if (!ParseScriptBody(body, &flags, &compile.code, error)) return false;
  if (lua_cpcall(L_, &LuaEngine::CompileProtected, &compile) != 0) {
    *error = std::string("ERR Error compiling script (new function): ") + lua_tostring(L_, -1);
  }
  lua_settop(L_, 0);
  if (compile.ref == LUA_NOREF) return false;
  scripts_.emplace(*sha, Script{compile.ref, flags});
  return true;
}

const ScriptFlags* LuaEngine::Find(std::string_view sha) const {
  auto it = scripts_.find(absl::string_view(sha.data(), sha.size()));
  return it == scripts_.end() ? nullptr : &it->second.flags;
}

void LuaEngine::TimeHook(lua_State* L, lua_Debug*) {
  lua_pushlightuserdata(L, &kEngineKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* self = static_cast<LuaEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  RunContext& run = self->run_;
  if (!run.stopped) {
    int64_t now_ms = NowMs();
    if (now_ms - run.started_ms < run.host->busy_threshold_ms()) return;
    if (now_ms - run.busy_polled_ms < ScriptLimits::kBusyPollIntervalMs) return;
    run.busy_polled_ms = now_ms;
    if (!run.host->WhileBusy()) return;
    // Killed: from now on every line raises, so a pcall in the script cannot keep it alive.
    run.stopped = true;
    lua_sethook(L, &LuaEngine::TimeHook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
  }
  PushErrorTable(L, "Script killed by user with SCRIPT KILL...");
  lua_error(L);
}

namespace {

void PushStringArray(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

int LuaEngine::RunProtected(lua_State* L) {
  auto* a = static_cast<RunArgs*>(lua_touserdata(L, 1));
  // A script may have replaced its environment (setfenv): every run starts from the sandbox.
  PushGlobalsProxy(L);
  lua_replace(L, LUA_GLOBALSINDEX);
  if (!a->pass_arguments) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->self->globals_ref_);
    lua_pushstring(L, "KEYS");
    PushStringArray(L, a->keys);
    lua_rawset(L, -3);
    lua_pushstring(L, "ARGV");
    PushStringArray(L, a->args);
    lua_rawset(L, -3);
  }
  lua_pushcfunction(L, ErrorHandler);
  int handler = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, a->function_ref);
  int nargs = 0;
  if (a->pass_arguments) {
    PushStringArray(L, a->keys);
    PushStringArray(L, a->args);
    nargs = 2;
  } else {
    PushGlobalsProxy(L);
    lua_setfenv(L, -2);
  }
  engine::RespWriter writer(a->out, a->client_resp);
  if (lua_pcall(L, nargs, 1, handler) == 0) {
    WriteLuaValue(L, -1, a->self->run_.resp, writer);
  } else {
    writer.Error(ScriptErrorText(L, a->sha));
  }
  return 0;
}

void LuaEngine::Run(std::string_view sha, std::span<const std::string_view> keys,
                    std::span<const std::string_view> args, ScriptHost& host,
                    engine::RespWriter& reply) {
  auto it = scripts_.find(absl::string_view(sha.data(), sha.size()));
  SB_CHECK(it != scripts_.end(), "running a script that is not cached");
  RunRef(it->second.function_ref, false, sha, keys, args, host, reply);
}

void LuaEngine::RunFunction(const FunctionInfo& function, std::span<const std::string_view> keys,
                            std::span<const std::string_view> args, ScriptHost& host,
                            engine::RespWriter& reply) {
  RunRef(function.function_ref, true, function.name, keys, args, host, reply);
}

void LuaEngine::RunRef(int function_ref, bool pass_arguments, std::string_view sha,
                       std::span<const std::string_view> keys,
                       std::span<const std::string_view> args, ScriptHost& host,
                       engine::RespWriter& reply) {
  run_.host = &host;
  run_.resp = 2;
  run_.started_ms = NowMs();
  run_.busy_polled_ms = 0;
  run_.stopped = false;
  std::string out;
  RunArgs run_args{this, function_ref, pass_arguments, sha,
                   keys, args,         &out,           reply.protocol_version()};
  lua_sethook(L_, &LuaEngine::TimeHook, LUA_MASKCOUNT, kHookInstructions);
  if (lua_cpcall(L_, &LuaEngine::RunProtected, &run_args) != 0) {
    // Only an error outside the script's own pcall gets here (memory, while converting).
    out.clear();
    engine::RespWriter writer(&out, reply.protocol_version());
    writer.Error(ScriptErrorText(L_, sha));
  }
  lua_sethook(L_, nullptr, 0, 0);
  lua_settop(L_, 0);
  run_.host = nullptr;
  lua_gc(L_, LUA_GCSTEP, 0);
  reply.buffer()->append(out);
}

}  // namespace strongbox::scripting
