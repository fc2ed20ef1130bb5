// Runs one command for a client: lookup, arity, AUTH and read-only gating, MULTI queueing, flags
// held to their promise. All effects of one call (one EXEC too) go to ctx.effects: one record.
#pragma once

#include "engine/commands/command.h"

namespace strongbox::engine {

void Dispatch(CommandContext& ctx);

// Runs one command of an EXEC queue (transaction_commands.cc): looked up and arity-checked when
// it was queued, it is admitted again now (AUTH, read-only) and held to its flags like any other.
void DispatchQueued(CommandContext& ctx);

}  // namespace strongbox::engine
