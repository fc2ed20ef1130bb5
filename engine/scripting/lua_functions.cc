// Function libraries in the Lua state: FUNCTION LOAD runs a library's code with only its load
// API visible (redis.register_function, redis.log, the LOG_* and version constants), collects
// the functions it registers, and keeps them next to the script cache.
#include <algorithm>
#include <chrono>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "engine/scripting/lua_engine.h"
#include "engine/scripting/lua_resp.h"
#include "engine/scripting/lua_sandbox.h"

namespace strongbox::scripting {
namespace {

char kLoadingKey;  // registry key (its address): the LuaEngine running FUNCTION LOAD

// Redis stops a library's load after this long: loading should only register functions.
constexpr int64_t kLoadTimeoutMs = 500;
constexpr int kLoadHookInstructions = 100000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Raise(lua_State* L, std::string_view text) {
  PushErrorTable(L, text);
  return lua_error(L);
}

constexpr std::string_view kBadName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

// Reads the flags table at `index` into *flags; false on an unknown flag.
bool ReadFlags(lua_State* L, int index, uint32_t* flags) {
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    std::optional<uint32_t> flag;
    if (lua_type(L, -1) == LUA_TSTRING) flag = ParseFunctionFlag(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!flag) {
      lua_pop(L, 1);
      return false;
    }
    *flags |= *flag;
  }
  return true;
}

// redis.register_function{function_name=, callback=, flags=, description=}: fills *f and leaves
// the callback on top of the stack, or raises.
void ReadNamedArguments(lua_State* L, FunctionInfo* f) {
  if (!lua_istable(L, 1)) {
    Raise(L,
          "calling redis.register_function with a single argument is only applicable to Lua "
          "table (representing named arguments).");
  }
  bool named = false;
  int callback = 0;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      Raise(L, "named argument key given to redis.register_function is not a string");
    }
    std::string_view key = lua_tostring(L, -2);
    int type = lua_type(L, -1);
    if (key == "function_name") {
      if (!lua_isstring(L, -1)) {
        Raise(L, "function_name argument given to redis.register_function must be a string");
      }
      f->name = lua_tostring(L, -1);
      named = true;
    } else if (key == "description") {
      if (!lua_isstring(L, -1)) {
        Raise(L, "description argument given to redis.register_function must be a string");
      }
      f->description = lua_tostring(L, -1);
    } else if (key == "callback") {
      if (type != LUA_TFUNCTION) {
        Raise(L, "callback argument given to redis.register_function must be a function");
      }
      lua_pushvalue(L, -1);
      lua_replace(L, 2);  // slot 2 holds the callback (the stack had only the table)
      callback = 2;
    } else if (key == "flags") {
      if (type != LUA_TTABLE) {
        Raise(L,
              "flags argument to redis.register_function must be a table representing function "
              "flags");
      }
      if (!ReadFlags(L, lua_gettop(L), &f->flags)) Raise(L, "unknown flag given");
    } else {
      Raise(L, "unknown argument given to redis.register_function");
    }
    lua_pop(L, 1);
  }
  if (!named) Raise(L, "redis.register_function must get a function name argument");
  if (callback == 0) Raise(L, "redis.register_function must get a callback argument");
  lua_settop(L, 2);
}

}  // namespace

struct LuaEngine::LoadArgs {
  LuaEngine* self;
  std::string_view code;
  std::string* error;
};

int LuaEngine::RegisterFunction(lua_State* L) {
  auto* self = static_cast<LuaEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (self->loading_ == nullptr) {
    return Raise(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  // Lua errors unwind with longjmp: what is being built lives in the engine, not on this frame.
  FunctionInfo& f = self->registering_;
  f = FunctionInfo{};
  int argc = lua_gettop(L);
  if (argc == 1) {
    lua_pushnil(L);  // slot 2, for the callback
    ReadNamedArguments(L, &f);
  } else if (argc == 2) {
    if (!lua_isstring(L, 1)) {  // a number is a string to Lua, as to Redis
      return Raise(L, "first argument to redis.register_function must be a string");
    }
    if (lua_type(L, 2) != LUA_TFUNCTION) {
      return Raise(L, "second argument to redis.register_function must be a function");
    }
    f.name = lua_tostring(L, 1);
  } else {
    return Raise(L, "wrong number of arguments to redis.register_function");
  }
  if (!ValidFunctionName(f.name)) return Raise(L, kBadName);
  for (const FunctionInfo& other : self->loading_->functions) {
    if (other.name == f.name) return Raise(L, "Function already exists in the library");
  }
  lua_pushvalue(L, 2);
  f.function_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  self->loading_->functions.push_back(std::move(f));
  return 0;
}

void LuaEngine::LoadHook(lua_State* L, lua_Debug*) {
  lua_pushlightuserdata(L, &kLoadingKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* self = static_cast<LuaEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (NowMs() - self->load_started_ms_ <= kLoadTimeoutMs) return;
  lua_sethook(L, &LuaEngine::LoadHook, LUA_MASKLINE, 0);  // a pcall cannot keep it alive
  Raise(L, "FUNCTION LOAD timeout");
}

// The globals a library's top level sees: `redis` with the load API only.
void LuaEngine::PushLoadGlobals() {
  lua_State* L = L_;
  lua_newtable(L);  // the globals
  lua_newtable(L);  // their redis
  lua_pushlightuserdata(L, this);
  lua_pushcclosure(L, &LuaEngine::RegisterFunction, 1);
  lua_setfield(L, -2, "register_function");
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_ref_);
  lua_getfield(L, -1, "redis");
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, name);
    lua_setfield(L, -4, name);
  }
  lua_pop(L, 2);
  SetMissingGlobalMetatable(L, -1);
  lua_setfield(L, -2, "redis");
  SetMissingGlobalMetatable(L, -1);
}

int LuaEngine::LoadProtected(lua_State* L) {
  auto* a = static_cast<LoadArgs*>(lua_touserdata(L, 1));
  if (luaL_loadbuffer(L, a->code.data(), a->code.size(), "@user_function") != 0) {
    *a->error = std::string("ERR Error compiling function: ") + lua_tostring(L, -1);
    return 0;
  }
  int chunk = lua_gettop(L);
  PushGlobalsProxy(L);
  lua_setfenv(L, chunk);
  a->self->PushLoadGlobals();
  RedirectGlobals(L);
  lua_pushcfunction(L, [](lua_State* L) -> int {
    if (!lua_istable(L, 1)) {
      const char* text = lua_tostring(L, 1);
      PushErrorTable(L, text != nullptr ? text : "unknown error");
      lua_replace(L, 1);
    }
    return 1;
  });
  lua_insert(L, chunk);
  if (lua_pcall(L, 0, 0, chunk) != 0) {
    lua_getfield(L, -1, "err");
    const char* err = lua_tostring(L, -1);
    *a->error = std::string("ERR Error registering functions: ") + (err ? err : "unknown error");
  }
  return 0;
}

bool LuaEngine::LoadLibrary(std::string_view code, bool replace, std::string* name,
                            std::string* error) {
  LibraryMetadata md;
  if (!ParseLibraryMetadata(code, &md, error)) {
    *error = "ERR " + *error;
    return false;
  }
  auto old = libraries_.find(md.name);
  if (old != libraries_.end() && !replace) {
    *error = "ERR Library '" + md.name + "' already exists";
    return false;
  }
  LibraryInfo fresh{md.name, std::string(code), {}};
  LoadArgs args{this, md.code, error};
  error->clear();
  loading_ = &fresh;
  load_started_ms_ = NowMs();
  lua_pushlightuserdata(L_, &kLoadingKey);
  lua_pushlightuserdata(L_, this);
  lua_rawset(L_, LUA_REGISTRYINDEX);
  lua_sethook(L_, &LuaEngine::LoadHook, LUA_MASKCOUNT, kLoadHookInstructions);
  if (lua_cpcall(L_, &LuaEngine::LoadProtected, &args) != 0 && error->empty()) {
    const char* text = lua_tostring(L_, -1);
    *error = std::string("ERR Error registering functions: ") + (text ? text : "not enough memory");
  }
  lua_sethook(L_, nullptr, 0, 0);
  loading_ = nullptr;
  lua_settop(L_, 0);
  lua_rawgeti(L_, LUA_REGISTRYINDEX, globals_ref_);
  RedirectGlobals(L_);
  if (error->empty() && fresh.functions.empty()) *error = "ERR No functions registered";
  for (const FunctionInfo& f : fresh.functions) {
    if (!error->empty()) break;
    auto it = functions_.find(f.name);
    bool in_old = old != libraries_.end() &&
                  std::any_of(old->second.functions.begin(), old->second.functions.end(),
                              [&](const FunctionInfo& o) { return o.name == f.name; });
    if (it != functions_.end() && !in_old) *error = "ERR Function " + f.name + " already exists";
  }
  if (!error->empty()) {
    ReleaseLibrary(fresh);
    return false;
  }
  if (old != libraries_.end()) DeleteLibrary(md.name);
  LibraryInfo& added = libraries_[md.name] = std::move(fresh);
  for (const FunctionInfo& f : added.functions) functions_[f.name] = &f;
  *name = md.name;
  lua_gc(L_, LUA_GCSTEP, 0);
  return true;
}

void LuaEngine::ReleaseLibrary(const LibraryInfo& library) {
  for (const FunctionInfo& f : library.functions) {
    auto it = functions_.find(f.name);
    if (it != functions_.end() && it->second == &f) functions_.erase(it);
    luaL_unref(L_, LUA_REGISTRYINDEX, f.function_ref);
  }
}

bool LuaEngine::DeleteLibrary(std::string_view name) {
  auto it = libraries_.find(std::string(name));
  if (it == libraries_.end()) return false;
  ReleaseLibrary(it->second);
  libraries_.erase(it);
  return true;
}

void LuaEngine::FlushLibraries() {
  for (const auto& [name, library] : libraries_) ReleaseLibrary(library);
  libraries_.clear();
}

const FunctionInfo* LuaEngine::FindFunction(std::string_view name) const {
  auto it = functions_.find(absl::string_view(name.data(), name.size()));
  return it == functions_.end() ? nullptr : it->second;
}

}  // namespace strongbox::scripting
