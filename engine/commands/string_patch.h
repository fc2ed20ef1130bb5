// Logging a rewritten string value cheaply: the effect of replacing a string by a new value of
// which only some bytes differ (HyperLogLog registers, BITFIELD writes) is a few SETRANGE byte
// patches rather than the whole value, so replay copies bytes and never re-runs the command.
#pragma once

#include <string_view>

#include "engine/commands/command.h"

namespace strongbox::engine {

// Makes `key`'s string value equal `next`, given that it is `prev` now (`prev_exists` false when
// the key is absent). Emits SETRANGE patches of the differing byte windows when `next` is not
// shorter than `prev`, else one SET (keeping the expiry, as Redis does for in-place writes).
void ApplyStringChange(CommandContext& ctx, std::string_view key, bool prev_exists,
                       std::string_view prev, std::string_view next);

}  // namespace strongbox::engine
