// The redis.* functions, with Redis 7.0's error texts. Every error they raise is an error
// table ({err = "..."}), as in Redis, so redis.pcall and the error handler treat them alike.
#include "engine/scripting/lua_redis_lib.h"

#include <cstdio>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "engine/scripting/lua_resp.h"
#include "engine/scripting/script_body.h"

namespace strongbox::scripting {
namespace {

RunContext* Context(lua_State* L) {
  return static_cast<RunContext*>(lua_touserdata(L, lua_upvalueindex(1)));
}

int RaiseError(lua_State* L, const char* text) {
  PushErrorTable(L, text);
  return lua_error(L);
}

// redis.call raises the error table, redis.pcall returns it.
int Fail(lua_State* L, bool raise, const char* text) {
  PushErrorTable(L, text);
  return raise ? lua_error(L) : 1;
}

int CallCommand(lua_State* L, bool raise) {
  RunContext* ctx = Context(L);
  int argc = lua_gettop(L);
  if (ctx->stopped) return RaiseError(L, "Script stopped: it ran past the script time limit.");
  if (argc == 0)
    return Fail(L, raise, "Please specify at least one argument for this redis lib call");
  ctx->argv.clear();
  for (int i = 1; i <= argc; ++i) {
    int type = lua_type(L, i);
    if (type != LUA_TSTRING && type != LUA_TNUMBER) {
      return Fail(L, raise, "Lua redis lib command arguments must be strings or integers");
    }
    if (type == LUA_TNUMBER) {
      // Redis formats numbers with %.17g (Lua's own tostring keeps only 14 digits); the text
      // replaces the number on the stack, which keeps it alive for the call.
      char text[32];
      int n = std::snprintf(text, sizeof(text), "%.17g", lua_tonumber(L, i));
      lua_pushlstring(L, text, static_cast<size_t>(n));
      lua_replace(L, i);
    }
    size_t len = 0;
    const char* s = lua_tolstring(L, i, &len);
    ctx->argv.emplace_back(s, len);
  }
  ctx->reply.clear();
  ctx->host->Call(ctx->argv, ctx->resp, &ctx->reply);
  PushReply(L, ctx->reply.data(), ctx->reply.data() + ctx->reply.size());
  if (raise && !ctx->reply.empty() && ctx->reply[0] == '-') return lua_error(L);
  return 1;
}

int Call(lua_State* L) { return CallCommand(L, true); }
int PCall(lua_State* L) { return CallCommand(L, false); }

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return Fail(L, false, "wrong number or type of arguments");  // returned, as Redis does
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string_view text(s, len);
  // A text without its leading '-' is given one, so "x" and "-x" both mean "ERR x".
  if (!text.empty() && text[0] == '-') {
    PushErrorTable(L, text);
  } else {
    PushErrorTable(L, "-" + std::string(text));
  }
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return Fail(L, false, "wrong number or type of arguments");  // returned, as Redis does
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  return 1;
}

int Sha1HexFn(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  if (s == nullptr) return RaiseError(L, "wrong number of arguments");
  std::string hex = Sha1Hex(std::string_view(s, len));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int Log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (lua_type(L, 1) != LUA_TNUMBER) {
    return RaiseError(L, "First argument must be a number (log level).");
  }
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return RaiseError(L, "Invalid debug level.");
  std::string message;
  for (int i = 2; i <= argc; ++i) {
    size_t len = 0;
    const char* s = lua_tolstring(L, i, &len);
    if (s == nullptr) continue;
    if (i > 2) message.push_back(' ');
    message.append(s, len);
  }
  Context(L)->host->Log(level, message);
  return 0;
}

int SetResp(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (lua_type(L, 1) != LUA_TNUMBER || (resp != 2 && resp != 3)) {
    return RaiseError(L, "RESP version must be 2 or 3.");
  }
  Context(L)->resp = resp;
  return 0;
}

// Scripts always replicate as effects here, as in Redis 7.0, so these only answer.
int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}
int Nothing(lua_State*) { return 0; }
int False(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

void SetNumber(lua_State* L, const char* name, lua_Number value) {
  lua_pushstring(L, name);
  lua_pushnumber(L, value);
  lua_rawset(L, -3);
}

}  // namespace

void OpenRedisLib(lua_State* L, RunContext* ctx) {
  static const luaL_Reg kFunctions[] = {{"call", Call},
                                        {"pcall", PCall},
                                        {"error_reply", ErrorReply},
                                        {"status_reply", StatusReply},
                                        {"sha1hex", Sha1HexFn},
                                        {"log", Log},
                                        {"setresp", SetResp},
                                        {"replicate_commands", ReplicateCommands},
                                        {"set_repl", Nothing},
                                        {"breakpoint", False},
                                        {"debug", Nothing},
                                        {nullptr, nullptr}};
  lua_pushstring(L, "redis");
  lua_newtable(L);
  for (const luaL_Reg* f = kFunctions; f->name != nullptr; ++f) {
    lua_pushstring(L, f->name);
    lua_pushlightuserdata(L, ctx);
    lua_pushcclosure(L, f->func, 1);
    lua_rawset(L, -3);
  }
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  SetNumber(L, "REDIS_VERSION_NUM", 0x070000);
  lua_pushstring(L, "REDIS_VERSION");
  lua_pushstring(L, "7.0.0");
  lua_rawset(L, -3);
  lua_rawset(L, -3);
}

}  // namespace strongbox::scripting
