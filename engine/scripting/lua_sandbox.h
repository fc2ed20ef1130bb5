// The sandbox of Redis 7.0 scripts: the libraries they get (base without file access, table,
// string, math, cjson, bit), and globals that cannot be created or changed: reading a missing
// global and writing any global or library table fail with Redis's texts.
#pragma once

struct lua_State;

namespace strongbox::scripting {

// Opens the libraries into the state's globals, then `add_globals` (which adds to the table on
// top of the stack), then locks everything: LUA_GLOBALSINDEX becomes an empty read-only proxy.
// Returns a registry reference to the real globals table (KEYS/ARGV are set there).
int OpenSandbox(lua_State* L, void (*add_globals)(lua_State* L, void* arg), void* arg);

// The proxy that stands for the globals: scripts are compiled and run with it as environment.
void PushGlobalsProxy(lua_State* L);

// Makes the globals proxy read through the table on top of the stack (popped). FUNCTION LOAD
// runs a library seeing only its load API, then points the proxy back at the real globals.
// Allocates nothing, so it may run outside a protected call.
void RedirectGlobals(lua_State* L);

// Gives the table at `index` a metatable whose reads of a missing name raise Redis's
// "Script attempted to access nonexistent global variable" error.
void SetMissingGlobalMetatable(lua_State* L, int index);

}  // namespace strongbox::scripting
