// RESP <-> Lua, following Redis 7.0's conversion tables (RESP2 and RESP3).
#include "engine/scripting/lua_resp.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strongbox::scripting {
namespace {

// The header line of the reply at p (type byte excluded) and the position after its CRLF.
std::string_view HeaderLine(const char* p, const char* end, const char** next) {
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(end - p)));
  if (cr == nullptr) cr = end;
  *next = cr + 2 <= end ? cr + 2 : end;
  return std::string_view(p + 1, static_cast<size_t>(cr - p - 1));
}

int64_t HeaderCount(std::string_view line) {
  int64_t n = 0;
  std::from_chars(line.data(), line.data() + line.size(), n);
  return n;
}

// {name = <value on top>}: wraps the value pushed last into a one-field table.
void WrapTop(lua_State* L, const char* name) {
  lua_newtable(L);
  lua_pushstring(L, name);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_remove(L, -2);
}

const char* PushBulk(lua_State* L, std::string_view line, const char* p, const char* end) {
  int64_t n = HeaderCount(line);
  if (n < 0) {
    lua_pushboolean(L, 0);  // RESP2 null bulk -> false
    return p;
  }
  size_t bytes = std::min(static_cast<size_t>(n), static_cast<size_t>(end - p));
  lua_pushlstring(L, p, bytes);
  return std::min(p + bytes + 2, end);
}

const char* PushArray(lua_State* L, std::string_view line, const char* p, const char* end) {
  int64_t n = HeaderCount(line);
  if (n < 0) {
    lua_pushboolean(L, 0);  // RESP2 null array -> false
    return p;
  }
  luaL_checkstack(L, 4, "reached lua stack limit");
  lua_newtable(L);
  for (int64_t i = 1; i <= n; ++i) {
    p = PushReply(L, p, end);
    lua_rawseti(L, -2, static_cast<int>(i));
  }
  return p;
}

// RESP3 map (pairs) or set (members, each mapped to true), wrapped as {map=...} / {set=...}.
const char* PushMapOrSet(lua_State* L, bool is_map, std::string_view line, const char* p,
                         const char* end) {
  int64_t n = HeaderCount(line);
  luaL_checkstack(L, 4, "reached lua stack limit");
  lua_newtable(L);
  for (int64_t i = 0; i < n; ++i) {
    p = PushReply(L, p, end);
    if (is_map) {
      p = PushReply(L, p, end);
    } else {
      lua_pushboolean(L, 1);
    }
    lua_rawset(L, -3);
  }
  WrapTop(L, is_map ? "map" : "set");
  return p;
}

const char* PushVerbatim(lua_State* L, std::string_view line, const char* p, const char* end) {
  size_t bytes = std::min(static_cast<size_t>(HeaderCount(line)), static_cast<size_t>(end - p));
  std::string_view text(p, bytes);
  lua_newtable(L);
  lua_pushstring(L, "format");
  lua_pushlstring(L, text.data(), std::min<size_t>(3, text.size()));
  lua_rawset(L, -3);
  lua_pushstring(L, "string");
  std::string_view body = text.size() >= 4 ? text.substr(4) : std::string_view();
  lua_pushlstring(L, body.data(), body.size());
  lua_rawset(L, -3);
  WrapTop(L, "verbatim_string");
  return std::min(p + bytes + 2, end);
}

}  // namespace

const char* PushReply(lua_State* L, const char* p, const char* end) {
  if (p >= end) {
    lua_pushnil(L);
    return end;
  }
  const char* next = nullptr;
  std::string_view line = HeaderLine(p, end, &next);
  switch (*p) {
    case '+':
      lua_pushlstring(L, line.data(), line.size());
      WrapTop(L, "ok");
      return next;
    case '-':
      PushErrorTable(L, std::string("-").append(line));
      return next;
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(HeaderCount(line)));
      return next;
    case '$':
      return PushBulk(L, line, next, end);
    case '*':
    case '>':
      return PushArray(L, line, next, end);
    case '%':
    case '~':
      return PushMapOrSet(L, *p == '%', line, next, end);
    case '_':
      lua_pushnil(L);
      return next;
    case ',':
      lua_pushnumber(L, std::strtod(std::string(line).c_str(), nullptr));
      WrapTop(L, "double");
      return next;
    case '#':
      lua_pushboolean(L, line == "t");
      return next;
    case '(':
      lua_pushlstring(L, line.data(), line.size());
      WrapTop(L, "big_number");
      return next;
    case '=':
      return PushVerbatim(L, line, next, end);
    default:
      lua_pushnil(L);
      return end;
  }
}

std::string ErrorTableText(std::string_view text) {
  if (text.empty() || text[0] != '-') return "ERR " + std::string(text);
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return "ERR " + std::string(text.substr(1));
  return std::string(text.substr(1));
}

void PushErrorTable(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  std::string message = ErrorTableText(text);
  lua_pushlstring(L, message.data(), message.size());
  lua_rawset(L, -3);
}

namespace {

// The string field `name` of the table at `index`, if it is a string (or a number when
// `number_ok`); pops nothing.
bool RawField(lua_State* L, int index, const char* name, int type) {
  lua_pushstring(L, name);
  lua_rawget(L, index);
  if (lua_type(L, -1) == type) return true;
  lua_pop(L, 1);
  return false;
}

std::string WithoutNewlines(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

std::string_view ToView(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return std::string_view(s, len);
}

int64_t CountPairs(lua_State* L, int index) {
  int64_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  return n;
}

// {map = t} or {set = t}: the table is on top of the stack.
void WriteMapOrSet(lua_State* L, bool is_map, int script_resp, engine::RespWriter& out) {
  int t = lua_gettop(L);
  int64_t n = CountPairs(L, t);
  is_map ? out.MapHeader(n) : out.SetHeader(n);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    WriteLuaValue(L, -2, script_resp, out);
    if (is_map) WriteLuaValue(L, -1, script_resp, out);
    lua_pop(L, 1);
  }
}

void WriteArray(lua_State* L, int t, int script_resp, engine::RespWriter& out) {
  int64_t n = 0;
  while (true) {
    lua_rawgeti(L, t, static_cast<int>(n + 1));
    bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!present) break;
    ++n;
  }
  out.ArrayHeader(n);
  for (int64_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, t, static_cast<int>(i));
    WriteLuaValue(L, -1, script_resp, out);
    lua_pop(L, 1);
  }
}

bool WriteVerbatim(lua_State* L, engine::RespWriter& out) {
  int t = lua_gettop(L);
  bool ok = RawField(L, t, "format", LUA_TSTRING);
  if (ok) lua_pop(L, 1);
  if (ok && RawField(L, t, "string", LUA_TSTRING)) {
    out.Verbatim(ToView(L, -1));
    lua_pop(L, 1);
    return true;
  }
  return false;
}

// The special tables ({err=}, {ok=}, {double=}, ...) in Redis's order; false: a plain array.
bool WriteSpecialTable(lua_State* L, int t, int script_resp, engine::RespWriter& out) {
  bool written = true;
  if (RawField(L, t, "err", LUA_TSTRING)) {
    out.Error(ToView(L, -1));
  } else if (RawField(L, t, "ok", LUA_TSTRING)) {
    out.SimpleString(WithoutNewlines(ToView(L, -1)));
  } else if (RawField(L, t, "double", LUA_TNUMBER)) {
    out.Double(lua_tonumber(L, -1));
  } else if (RawField(L, t, "big_number", LUA_TSTRING)) {
    out.BigNumber(WithoutNewlines(ToView(L, -1)));
  } else if (RawField(L, t, "map", LUA_TTABLE)) {
    WriteMapOrSet(L, true, script_resp, out);
  } else if (RawField(L, t, "set", LUA_TTABLE)) {
    WriteMapOrSet(L, false, script_resp, out);
  } else if (RawField(L, t, "verbatim_string", LUA_TTABLE)) {
    written = WriteVerbatim(L, out);
  } else {
    return false;
  }
  lua_pop(L, 1);
  return written;
}

int64_t NumberToInteger(lua_Number n) {
  // Redis casts to long long: on x86-64 NaN and out-of-range doubles give INT64_MIN (the cast
  // itself is undefined in C++, so it is spelled out).
  if (std::isnan(n) || n >= 9223372036854775808.0 || n < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(n);
}

}  // namespace

void WriteLuaValue(lua_State* L, int index, int script_resp, engine::RespWriter& out) {
  if (!lua_checkstack(L, 4)) return out.Error("ERR reached lua stack limit");
  int t = index < 0 ? lua_gettop(L) + index + 1 : index;
  switch (lua_type(L, t)) {
    case LUA_TSTRING:
      return out.Bulk(ToView(L, t));
    case LUA_TBOOLEAN:
      if (script_resp == 2) return lua_toboolean(L, t) ? out.Integer(1) : out.Null();
      return out.Boolean(lua_toboolean(L, t));
    case LUA_TNUMBER:
      return out.Integer(NumberToInteger(lua_tonumber(L, t)));
    case LUA_TTABLE:
      if (!WriteSpecialTable(L, t, script_resp, out)) WriteArray(L, t, script_resp, out);
      return;
    default:
      return out.Null();
  }
}

}  // namespace strongbox::scripting
