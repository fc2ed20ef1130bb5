// SORT and SORT_RO (Redis 7.0): BY, LIMIT, GET (with `#` and hash `->field` patterns), ASC|DESC,
// ALPHA and STORE. Registered with the generic key commands (key_commands.cc).
#pragma once

#include "engine/commands/command_registry.h"

namespace strongbox::engine {

void RegisterSortCommands(CommandRegistry& r);

}  // namespace strongbox::engine
