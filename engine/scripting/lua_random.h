// math.random and math.randomseed as Redis gives them to scripts: the POSIX drand48 generator
// (Redis's rand.c) with its own state, not the process's libc rand().
#pragma once

#include <cstdint>

struct lua_State;

namespace strongbox::scripting {

// drand48's 48-bit state as srand48(seed) sets it.
uint64_t Rand48Seed(int32_t seed);

// Replaces math.random / math.randomseed in the `math` table of the globals on top of the
// stack with versions drawing from *state.
void OpenRandom(lua_State* L, uint64_t* state);

}  // namespace strongbox::scripting
