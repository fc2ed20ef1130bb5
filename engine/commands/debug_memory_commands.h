// DEBUG and MEMORY handlers (debug_memory_commands.cc), registered by admin_commands.cc.
#pragma once

#include "engine/commands/command.h"

namespace strongbox::engine {

void DebugCommand(CommandContext& ctx);
void MemoryCommand(CommandContext& ctx);

}  // namespace strongbox::engine
