// The conversions Redis documents between RESP replies and Lua values, both ways: a command's
// reply (bytes our RespWriter produced) becomes the value redis.call returns, and the value a
// script returns becomes the client's reply. Both may raise Lua errors (out of memory): call
// them only inside a protected call, with no C++ object that needs destruction on the frames.
#pragma once

#include <string>
#include <string_view>

#include "engine/protocol/resp_writer.h"

struct lua_State;

namespace strongbox::scripting {

// Pushes the Lua value of the one reply at [p, end) and returns where it ends. The bytes come
// from RespWriter, so they are trusted to be well formed (a truncated reply pushes nil).
const char* PushReply(lua_State* L, const char* p, const char* end);

// The error text Redis 7.0 keeps in an error table: "-CODE message" keeps "CODE message", a
// leading '-' without a code and text without a leading '-' get the code "ERR".
std::string ErrorTableText(std::string_view text);
// Pushes {err = text}.
void PushErrorTable(lua_State* L, std::string_view text);

// Writes the Lua value at `index` as a reply. `script_resp` is the version redis.setresp chose:
// it decides what booleans become, as in Redis.
void WriteLuaValue(lua_State* L, int index, int script_resp, engine::RespWriter& out);

}  // namespace strongbox::scripting
