// Runs one command for a client: lookup, arity, AUTH and read-only gating, MULTI queueing and
// EXEC. All effects of one call (one EXEC included) go to ctx.effects, i.e. one record.
#pragma once

#include "engine/commands/command.h"

namespace strongbox::engine {

void Dispatch(CommandContext& ctx);

}  // namespace strongbox::engine
