// The effect vocabulary: the deterministic operations written in command-log records and
// replayed by recovery and the snapshotter. The engine's write commands change their state
// only by emitting one of these and applying it here, so engine and replay share one code path.
//
//   SET key value [PXAT ms | KEEPTTL]   replace the value with a string; no option clears TTL
//   DEL key [key ...]                   remove keys (also how an expiry the engine carries out
//                                       is logged)
//   PEXPIREAT key ms                    absolute expiry (EXPIRE/SET EX are logged as this)
//   PERSIST key                         remove the expiry
//   APPEND key value                    append to a string (creates it)
//   SETRANGE key offset value           overwrite at offset, zero-padding (creates it)
//   HSET key field value [field value ...]
//   HDEL key field [field ...]          the key disappears with its last field
//   RENAME src dst                      moves value and expiry, replacing dst
//   COPY src dst_db dst                 deep copy of value and expiry into db dst_db
//   LPUSH|RPUSH key v [v ...]           push at the head/tail (creates the list)
//   LPOP|RPOP key n                     remove n elements from the head/tail
//   LSET key index v                    index is absolute (>= 0)
//   LTRIM key start stop                absolute, normalised bounds; stop < start empties
//   LREM key count v                    Redis LREM semantics
//   LINSERT key BEFORE|AFTER pivot v
//   (a list disappears with its last element; LMOVE/blocking pops log the pop and the push)
//   SADD key m [m ...] / SREM key m [m ...]   (SPOP logs SREM of what it popped, SMOVE an
//                                        SREM + SADD, *STORE a DEL + SADD of the result)
//   ZADD key score member [...]         absolute scores, %.17g (inf/-inf); ZINCRBY and
//   ZREM key member [...]               ZADD INCR log the resulting score, pops and range
//                                       removals log ZREM of the members they removed
//   FLUSHDB                             empties the op's database
//   FLUSHALL                            empties every database
// Anything else, a wrong arity or a wrong type is an error naming the op: replay treats it as
// damage, never as something to skip.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "common/state/state.h"

namespace strongbox::state {

absl::Status ApplyOp(State& state, uint8_t db, std::span<const std::string_view> argv);

}  // namespace strongbox::state
