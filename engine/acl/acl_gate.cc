// The permission hook and its error texts (Redis 7.0's, which differ by where the command runs).
#include "engine/acl/acl_gate.h"

#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_store.h"
#include "engine/acl/acl_text.h"
#include "engine/commands/client_filter.h"

namespace strongbox::engine {
namespace {

using acl::Denial;

std::string TopLevelError(Denial denial, std::string_view full_name) {
  switch (denial) {
    case Denial::kCommand:
      return acl::Cat("NOPERM this user has no permissions to run the '", full_name, "' command");
    case Denial::kKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    default:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
  }
}

std::string ExecError(Denial denial) {
  std::string_view reason =
      denial == Denial::kCommand ? "no permission to execute the command or subcommand"
      : denial == Denial::kKey   ? "no permission to touch the specified keys"
                                 : "no permission to access one of the channels used as arguments";
  return acl::Cat(
      "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
      "call. This command is no longer allowed for the following reason: ",
      reason);
}

std::string ScriptError(Denial denial) {
  switch (denial) {
    case Denial::kCommand:
      return "ERR The user executing the script can't run this command or subcommand";
    case Denial::kKey:
      return "ERR The user executing the script can't access at least one of the keys mentioned "
             "in the command arguments";
    default:
      return "ERR The user executing the script can't publish to the channel mentioned in the "
             "command";
  }
}

std::string_view ContextName(AclWhere where) {
  return where == AclWhere::kScript                                ? "lua"
         : (where == AclWhere::kQueue || where == AclWhere::kExec) ? "multi"
                                                                   : "toplevel";
}

std::string_view ReasonName(Denial denial) {
  return denial == Denial::kCommand ? "command" : denial == Denial::kKey ? "key" : "channel";
}

}  // namespace

void AclLogDenial(CommandContext& ctx, std::string reason, std::string_view context,
                  std::string object, std::string username) {
  ClientFilter self;
  self.ids.push_back(ctx.client.id);
  std::string info = ctx.server.ClientList(self);
  while (!info.empty() && (info.back() == '\n' || info.back() == '\r')) info.pop_back();
  acl::AclLogEntry entry;
  entry.reason = std::move(reason);
  entry.context = std::string(context);
  entry.object = std::move(object);
  entry.username = std::move(username);
  entry.client_info = std::move(info);
  acl::Acl().log().Add(std::move(entry), ctx.now_ms);
}

bool AclAdmits(CommandContext& ctx, const CommandSpec& spec, AclWhere where) {
  const acl::User* user = acl::Acl().Find(ctx.client.user);
  if (user == nullptr) {  // deleted while connected: Redis has closed this client
    ctx.client.close_after_reply = true;
    ctx.reply.Error("NOPERM the user of this connection was deleted");
    return false;
  }
  acl::Verdict verdict = acl::Check(*user, spec, ctx.argv);
  if (verdict.denial == Denial::kNone) return true;
  std::string full_name = acl::Units()[acl::UnitOf(spec, ctx.argv)].name;
  std::string object =
      verdict.denial == Denial::kCommand ? full_name : std::string(ctx.argv[verdict.arg]);
  AclLogDenial(ctx, std::string(ReasonName(verdict.denial)), ContextName(where), std::move(object),
               ctx.client.user);
  switch (where) {
    case AclWhere::kExec:
      ctx.reply.Error(ExecError(verdict.denial));
      break;
    case AclWhere::kScript:
      ctx.reply.Error(ScriptError(verdict.denial));
      break;
    default:
      ctx.reply.Error(TopLevelError(verdict.denial, full_name));
  }
  return false;
}

std::string AclDryRunText(const acl::Verdict& verdict, const CommandSpec& spec,
                          std::span<const std::string_view> argv) {
  switch (verdict.denial) {
    case Denial::kCommand:
      return acl::Cat("This user has no permissions to run the '",
                      acl::Units()[acl::UnitOf(spec, argv)].name, "' command");
    case Denial::kKey:
      return acl::Cat("This user has no permissions to access the '", argv[verdict.arg], "' key");
    default:
      return acl::Cat("This user has no permissions to access the '", argv[verdict.arg],
                      "' channel");
  }
}

}  // namespace strongbox::engine
