// COMMAND [INFO|DOCS|COUNT|LIST|GETKEYS|GETKEYSANDFLAGS|HELP]: the command table as Redis
// 7.0 reports it, for clients that route by it (registered in server_commands.cc).
#pragma once

#include "engine/commands/command.h"

namespace strongbox::engine {

void CommandCommand(CommandContext& ctx);

}  // namespace strongbox::engine
