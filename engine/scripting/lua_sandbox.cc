// Read-only tables in a stock Lua 5.1: each protected table is replaced by an empty proxy whose
// metatable reads through to it and refuses writes; rawset refuses the tables it protects.
#include "engine/scripting/lua_sandbox.h"

#include <initializer_list>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace strongbox::scripting {
namespace {

// Registry keys (their addresses): the set of protected tables and the globals proxy.
char kProtectedKey;
char kProxyKey;

int ReadonlyError(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

int MissingGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
}

bool IsProtected(lua_State* L, int index) {
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  bool is = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return is;
}

void MarkProtected(lua_State* L, int index) {
  int t = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, t);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// rawset that refuses protected tables (the stock one would write past any metatable).
int SafeRawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsProtected(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// Lua's pcall, except that a caught error table with a string `err` (what redis.call raises)
// comes back as that string, as scripts written for Redis expect.
int ScriptPcall(lua_State* L) {
  luaL_checkany(L, 1);
  int argc = lua_gettop(L) - 1;
  if (lua_pcall(L, argc, LUA_MULTRET, 0) == 0) {
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    return lua_gettop(L);
  }
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1)) {
      lua_replace(L, -2);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

// Replaces the table on top of the stack by its read-only proxy.
void MakeProxy(lua_State* L) {
  MarkProtected(L, -1);
  lua_newtable(L);  // proxy
  MarkProtected(L, -1);
  lua_newtable(L);  // its metatable
  lua_pushstring(L, "__index");
  lua_pushvalue(L, -4);
  lua_rawset(L, -3);
  lua_pushstring(L, "__newindex");
  lua_pushcfunction(L, ReadonlyError);
  lua_rawset(L, -3);
  lua_pushstring(L, "__metatable");
  lua_pushboolean(L, 0);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_remove(L, -2);
}

void OpenLibraries(lua_State* L) {
  const luaL_Reg kLibs[] = {{"", luaopen_base},
                            {LUA_TABLIBNAME, luaopen_table},
                            {LUA_STRLIBNAME, luaopen_string},
                            {LUA_MATHLIBNAME, luaopen_math},
                            {"cjson", luaopen_cjson},
                            {"bit", luaopen_bit}};
  for (const luaL_Reg& lib : kLibs) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 1);
    // Debian's cjson returns its table without setting a global.
    if (lib.name[0] != '\0' && lua_istable(L, -1)) {
      lua_setglobal(L, lib.name);
    } else {
      lua_pop(L, 1);
    }
  }
  // No file access and no printing to the engine's stdout, as in Redis 7.0.
  for (const char* name : {"loadfile", "dofile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, SafeRawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, ScriptPcall);
  lua_setglobal(L, "pcall");
}

// Each library table in the globals becomes its proxy; strings' methods read through it too.
void ProtectLibraries(lua_State* L, int globals) {
  for (const char* name : {"string", "table", "math", "coroutine", "cjson", "bit", "redis"}) {
    lua_getfield(L, globals, name);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    MakeProxy(L);
    lua_setfield(L, globals, name);
  }
  lua_pushstring(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, globals, "string");
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
}

}  // namespace

int OpenSandbox(lua_State* L, void (*add_globals)(lua_State* L, void* arg), void* arg) {
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  OpenLibraries(L);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  add_globals(L, arg);
  ProtectLibraries(L, globals);
  // The real globals: a missing name is an error. The proxy reads through and refuses writes.
  lua_newtable(L);
  lua_pushstring(L, "__index");
  lua_pushcfunction(L, MissingGlobal);
  lua_rawset(L, -3);
  lua_setmetatable(L, globals);
  lua_pushvalue(L, globals);
  MakeProxy(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_pushlightuserdata(L, &kProxyKey);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
  return luaL_ref(L, LUA_REGISTRYINDEX);  // pops the real globals
}

void PushGlobalsProxy(lua_State* L) {
  lua_pushlightuserdata(L, &kProxyKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

void RedirectGlobals(lua_State* L) {
  PushGlobalsProxy(L);
  lua_getmetatable(L, -1);  // the C API ignores __metatable
  lua_pushstring(L, "__index");
  lua_pushvalue(L, -4);
  lua_rawset(L, -3);
  lua_pop(L, 3);
}

void SetMissingGlobalMetatable(lua_State* L, int index) {
  if (index < 0) index = lua_gettop(L) + 1 + index;
  lua_newtable(L);
  lua_pushstring(L, "__index");
  lua_pushcfunction(L, MissingGlobal);
  lua_rawset(L, -3);
  lua_setmetatable(L, index);
}

}  // namespace strongbox::scripting
