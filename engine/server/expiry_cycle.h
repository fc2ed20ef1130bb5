// Active expiry: each timer tick removes keys whose expiry has passed, oldest first, bounded per
// tick so a mass expiry cannot stall the loop. Each removal is logged as a DEL like any write.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/state/state.h"
#include "engine/commands/command.h"
#include "engine/durability/durable_log.h"

namespace strongbox::engine {

inline constexpr int kExpiredKeysPerTickMax = 200;

// Returns the number of keys removed (at most keys_max). Needs an open segment.
size_t RunExpiryCycle(state::State& state, DurableLog& log, ServerHooks& hooks, int64_t now_ms,
                      int keys_max = kExpiredKeysPerTickMax);

}  // namespace strongbox::engine
