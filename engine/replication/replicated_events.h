// Keyspace notifications on a replica. A Redis replica executes the commands its primary
// propagated and so fires their events; this replica applies the primary's effects, so it
// fires, for each effect, the event of the command Redis propagates for it where they are the
// same (SET, DEL, PEXPIREAT, HSET, LPUSH, SADD, ZADD, XADD...), plus "del" when an element
// removal emptied the key away, as Redis does.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/state/state.h"

namespace strongbox::engine {

class ServerHooks;

// After `effect` applied to `db` of `state`: publishes its events (nothing when none is
// enabled). An effect standing for another command (INCR's SET, HINCRBY's HSET, ZINCRBY's
// ZADD) fires the effect's event: the replica does not know which command wrote it.
void NotifyReplicatedEffect(ServerHooks& server, state::State& state, uint8_t db,
                            std::span<const std::string_view> effect);

}  // namespace strongbox::engine
