// Runs one command for a client: lookup, arity, AUTH and read-only gating, MULTI queueing, flags
// held to their promise. All effects of one call (one EXEC too) go to ctx.effects: one record.
#pragma once

#include <string_view>

#include "engine/commands/command.h"

namespace strongbox::engine {

// Redis's reply to a kDenyOom command when maxmemory is reached and nothing can be evicted.
inline constexpr std::string_view kErrOom =
    "OOM command not allowed when used memory > 'maxmemory'.";

inline constexpr std::string_view kErrNoReplicas = "NOREPLICAS Not enough good replicas to write.";

void Dispatch(CommandContext& ctx);

// What a replica or a primary short of good replicas refuses for a command with these flags
// (READONLY, NOREPLICAS, MASTERDOWN); empty when it runs. EXEC asks it for its queue's flags.
std::string_view ReplicaRefusal(CommandContext& ctx, uint32_t flags);

// The arity rule of CommandSpec::arity (also what a script's redis.call checks).
bool ArityOk(const CommandSpec& spec, size_t argc);

// Runs one command of an EXEC queue (transaction_commands.cc): looked up and arity-checked when
// it was queued, it is admitted again now (AUTH, read-only) and held to its flags like any other.
// A script's redis.call (scripting_commands.cc) runs its commands this way too, once checked.
void DispatchQueued(CommandContext& ctx);

}  // namespace strongbox::engine
