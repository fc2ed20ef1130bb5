// The one permission hook: the dispatcher (top level, inside MULTI, at EXEC) and a script's
// redis.call ask it whether the session's user may run a command line; a refusal is written
// with Redis 7.0's text for that place and recorded in the ACL LOG.
#pragma once

#include <string>

#include "engine/acl/acl_user.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

enum class AclWhere { kTopLevel, kQueue, kExec, kScript };

// True if the user of ctx.client may run this line; otherwise writes the error and logs it.
// A client whose user was deleted is closed (its reply is the error).
bool AclAdmits(CommandContext& ctx, const CommandSpec& spec, AclWhere where);

// ACL DRYRUN's answer for a refusal ("This user has no permissions to access the 'k' key").
std::string AclDryRunText(const acl::Verdict& verdict, const CommandSpec& spec,
                          std::span<const std::string_view> argv);

// Adds an ACL LOG entry for the client of ctx (client-info is its CLIENT LIST line).
void AclLogDenial(CommandContext& ctx, std::string reason, std::string_view context,
                  std::string object, std::string username);

}  // namespace strongbox::engine
