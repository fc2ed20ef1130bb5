// The drand48 linear congruential generator (POSIX: X' = (0x5DEECE66D * X + 0xB) mod 2^48,
// lrand48 = the top 31 bits), and Lua 5.1's math.random interface on top of it.
#include "engine/scripting/lua_random.h"

#include <cmath>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strongbox::scripting {
namespace {

constexpr uint64_t kMask48 = (uint64_t{1} << 48) - 1;
constexpr lua_Number kLrand48Max = 2147483647.0;  // Redis divides by INT32_MAX

int32_t Lrand48(uint64_t* state) {
  *state = (0x5DEECE66DULL * *state + 0xB) & kMask48;
  return static_cast<int32_t>(*state >> 17);
}

uint64_t* State(lua_State* L) {
  return static_cast<uint64_t*>(lua_touserdata(L, lua_upvalueindex(1)));
}

int Random(lua_State* L) {
  lua_Number r = static_cast<lua_Number>(Lrand48(State(L)) % 2147483647) / kLrand48Max;
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      return 1;
    case 1: {
      int upper = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= upper, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * upper) + 1);
      return 1;
    }
    case 2: {
      int lower = luaL_checkint(L, 1);
      int upper = luaL_checkint(L, 2);
      luaL_argcheck(L, lower <= upper, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (upper - lower + 1)) + lower);
      return 1;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
}

int RandomSeed(lua_State* L) {
  *State(L) = Rand48Seed(static_cast<int32_t>(luaL_checkint(L, 1)));
  return 0;
}

}  // namespace

uint64_t Rand48Seed(int32_t seed) {
  return ((static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E) & kMask48;
}

void OpenRandom(lua_State* L, uint64_t* state) {
  lua_getfield(L, -1, "math");
  lua_pushlightuserdata(L, state);
  lua_pushcclosure(L, Random, 1);
  lua_setfield(L, -2, "random");
  lua_pushlightuserdata(L, state);
  lua_pushcclosure(L, RandomSeed, 1);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
}

}  // namespace strongbox::scripting
