// The ACL categories COMMAND INFO reports for a command. A stub derived from the flags until
// engine/acl/ provides the per-command categories; the lead swaps this one function at merge.
#pragma once

#include <string_view>
#include <vector>

#include "engine/commands/command.h"

namespace strongbox::engine {

std::vector<std::string_view> AclCategoriesOf(const CommandSpec& spec);

}  // namespace strongbox::engine
