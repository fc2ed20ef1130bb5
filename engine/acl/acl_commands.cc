// ACL and its subcommands (Redis 7.0's replies and errors): SETUSER GETUSER DELUSER LIST USERS
// WHOAMI CAT LOG LOAD SAVE GENPASS DRYRUN HELP.
#include <openssl/rand.h>

#include "common/io/file_system.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_file.h"
#include "engine/acl/acl_gate.h"
#include "engine/acl/acl_store.h"
#include "engine/acl/acl_text.h"
#include "engine/commands/client_filter.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/scripting/script_body.h"

namespace strongbox::engine {
namespace {

using acl::Acl;

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

// The ids of the connections CLIENT LIST shows for this filter ("id=N ..." lines).
std::vector<uint64_t> ClientIds(CommandContext& ctx, const ClientFilter& filter) {
  std::vector<uint64_t> ids;
  std::string list = ctx.server.ClientList(filter);
  for (std::string_view line : acl::Split(list, '\n', true)) {
    if (line.substr(0, 3) != "id=") continue;
    auto id = ParseInt(line.substr(3, line.find(' ') - 3));
    if (id) ids.push_back(static_cast<uint64_t>(*id));
  }
  return ids;
}

// Subscribers of `name` whose subscriptions the user's channel rules no longer allow are
// disconnected, as Redis 7.0 does after ACL SETUSER.
void KillSubscribersThatLostAccess(CommandContext& ctx, const std::string& name) {
  const acl::User* user = Acl().Find(name);
  if (user == nullptr || acl::AllChannels(*user)) return;
  ClientFilter subscribers;
  subscribers.type = "pubsub";
  ClientFilter doomed;
  for (uint64_t id : ClientIds(ctx, subscribers)) {
    bool lost = false;
    for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
      for (const std::string& channel : ctx.server.pubsub().SubscriptionsOf(kind, id)) {
        lost |= !acl::ChannelAllowed(*user, channel, kind == PubSubKind::kPattern);
      }
    }
    if (lost) doomed.ids.push_back(id);
  }
  doomed.user = name;
  if (!doomed.ids.empty()) ctx.server.KillClients(doomed);
}

void SetUser(CommandContext& ctx) {
  std::string name(ctx.argv[2]);
  if (!acl::ValidUserName(name)) {
    return ctx.reply.Error("ERR Usernames can't contain spaces or null characters");
  }
  std::string error = Acl().SetUser(name, ctx.argv.subspan(3));
  if (!error.empty()) return ctx.reply.Error(error);
  KillSubscribersThatLostAccess(ctx, name);
  ctx.reply.SimpleString("OK");
}

// GETUSER's "commands", "keys" and "channels" of one selector.
void ReplySelector(CommandContext& ctx, const acl::Selector& selector) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(acl::DescribeCommands(selector));
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(acl::DescribeKeys(selector));
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(acl::DescribeChannels(selector));
}

void GetUser(CommandContext& ctx) {
  const acl::User* user = Acl().Find(ctx.argv[2]);
  if (user == nullptr) return ctx.reply.Null();
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("flags");
  std::vector<std::string> flags = acl::DescribeFlags(*user);
  ctx.reply.SetHeader(static_cast<int64_t>(flags.size()));  // a set in RESP3, as Redis 7.0
  for (const std::string& flag : flags) ctx.reply.Bulk(flag);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayHeader(static_cast<int64_t>(user->password_hashes.size()));
  for (const std::string& hash : user->password_hashes) ctx.reply.Bulk(hash);
  ReplySelector(ctx, user->root);
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayHeader(static_cast<int64_t>(user->selectors.size()));
  for (const acl::Selector& selector : user->selectors) {
    ctx.reply.MapHeader(3);
    ReplySelector(ctx, selector);
  }
}

void DelUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (ctx.argv[i] == "default")
      return ctx.reply.Error("ERR The 'default' user cannot be removed");
  }
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (!Acl().DelUser(ctx.argv[i])) continue;
    ++deleted;
    ClientFilter clients;  // its connections are closed, as Redis 7.0 does
    clients.user = std::string(ctx.argv[i]);
    ctx.server.KillClients(clients);
  }
  ctx.reply.Integer(deleted);
}

void List(CommandContext& ctx) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(Acl().users().size()));
  for (const auto& [name, user] : Acl().users()) ctx.reply.Bulk(acl::DescribeUser(user));
}

void Users(CommandContext& ctx) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(Acl().users().size()));
  for (const auto& [name, user] : Acl().users()) ctx.reply.Bulk(name);
}

void Categories(CommandContext& ctx) {
  if (ctx.argv.size() == 2) {
    ctx.reply.ArrayHeader(acl::kCategoryCount);
    for (std::string_view name : acl::kCategoryNames) ctx.reply.Bulk(name);
    return;
  }
  auto bit = acl::CategoryByName(ctx.argv[2]);
  if (!bit) return ctx.reply.Error(acl::Cat("ERR Unknown category '", ctx.argv[2], "'"));
  std::vector<std::string_view> names;
  for (const acl::Unit& unit : acl::Units()) {
    if (unit.categories & *bit) names.push_back(unit.name);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (std::string_view name : names) ctx.reply.Bulk(name);
}

void LogEntry(CommandContext& ctx, const acl::AclLogEntry& e) {
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("count");
  ctx.reply.Integer(static_cast<int64_t>(e.count));
  ctx.reply.Bulk("reason");
  ctx.reply.Bulk(e.reason);
  ctx.reply.Bulk("context");
  ctx.reply.Bulk(e.context);
  ctx.reply.Bulk("object");
  ctx.reply.Bulk(e.object);
  ctx.reply.Bulk("username");
  ctx.reply.Bulk(e.username);
  ctx.reply.Bulk("age-seconds");
  ctx.reply.Double(static_cast<double>(ctx.now_ms - e.updated_ms) / 1000.0);
  ctx.reply.Bulk("client-info");
  ctx.reply.Bulk(e.client_info);
}

void Log(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argv.size() == 3) {
    if (EqualsIgnoreCase(ctx.argv[2], "reset")) {
      Acl().log().Reset();
      return ctx.reply.SimpleString("OK");
    }
    auto n = ParseInt(ctx.argv[2]);
    if (!n) return ctx.reply.Error("ERR value is not an integer or out of range");
    count = std::max<int64_t>(*n, 0);
  }
  const auto& entries = Acl().log().entries();
  int64_t shown = std::min<int64_t>(count, static_cast<int64_t>(entries.size()));
  ctx.reply.ArrayHeader(shown);
  for (int64_t i = 0; i < shown; ++i) LogEntry(ctx, entries[static_cast<size_t>(i)]);
}

void Load(CommandContext& ctx) {
  if (Acl().aclfile().empty()) return ctx.reply.Error(kNoAclFile);
  std::vector<std::string> before;
  for (const auto& [name, user] : Acl().users()) before.push_back(name);
  absl::Status status = acl::LoadAclFile(io::DefaultFileSystem(), Acl());
  if (!status.ok()) return ctx.reply.Error(acl::Cat("ERR ", std::string(status.message())));
  // As Redis 7.0, the users the file replaced lose their connections (default aside).
  for (const std::string& name : before) {
    if (name == "default") continue;
    ClientFilter clients;
    clients.user = name;
    ctx.server.KillClients(clients);
  }
  ctx.reply.SimpleString("OK");
}

void Save(CommandContext& ctx) {
  if (Acl().aclfile().empty()) return ctx.reply.Error(kNoAclFile);
  absl::Status status = acl::WriteAclFileDurably(io::DefaultFileSystem(), Acl().aclfile(),
                                                 acl::FormatAclFile(Acl().users()));
  if (!status.ok()) {
    return ctx.reply.Error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  }
  ctx.reply.SimpleString("OK");
}

void GenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argv.size() == 3) {
    auto n = ParseInt(ctx.argv[2]);
    if (!n) return ctx.reply.Error("ERR value is not an integer or out of range");
    if (*n <= 0 || *n > 4096) {
      return ctx.reply.Error(
          "ERR ACL GENPASS argument must be the number of bits for the output password, a "
          "positive number up to 4096");
    }
    bits = *n;
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::string random((chars + 1) / 2, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(random.size()));
  std::string password = scripting::HexLower(random);
  password.resize(chars);
  ctx.reply.Bulk(password);
}

void DryRun(CommandContext& ctx) {
  const acl::User* user = Acl().Find(ctx.argv[2]);
  if (user == nullptr) {
    return ctx.reply.Error(acl::Cat("ERR User '", ctx.argv[2], "' not found"));
  }
  const CommandSpec* spec = FindCommand(ctx.argv[3]);
  if (spec == nullptr) {
    return ctx.reply.Error(acl::Cat("ERR Command '", ctx.argv[3], "' not found"));
  }
  auto line = ctx.argv.subspan(3);
  const acl::Unit& unit = acl::Units()[acl::UnitOf(*spec, line)];
  if (unit.container && line.size() >= 2) {  // a subcommand the container does not know
    return ctx.reply.Error(acl::Cat("ERR Command '", ctx.argv[3], "' not found"));
  }
  if (!ArityOk(*spec, line.size())) {
    return ctx.reply.Error(
        acl::Cat("ERR wrong number of arguments for '", spec->name, "' command"));
  }
  acl::Verdict verdict = acl::Check(*user, *spec, line);
  if (verdict.denial == acl::Denial::kNone) return ctx.reply.SimpleString("OK");
  ctx.reply.Bulk(AclDryRunText(verdict, *spec, line));
}

void Help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Print this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

struct Subcommand {
  std::string_view name;
  int arity;  // of the whole line, Redis's convention
  int argc_max;
  CommandHandler handler;
};

constexpr Subcommand kSubcommands[] = {
    {"setuser", -3, 0, SetUser}, {"getuser", 3, 3, GetUser}, {"deluser", -3, 0, DelUser},
    {"list", 2, 2, List},        {"users", 2, 2, Users},     {"cat", -2, 3, Categories},
    {"log", -2, 3, Log},         {"load", 2, 2, Load},       {"save", 2, 2, Save},
    {"genpass", -2, 3, GenPass}, {"dryrun", -4, 0, DryRun},  {"help", 2, 2, Help},
};

void WhoAmI(CommandContext& ctx) { ctx.reply.Bulk(ctx.client.user); }

void AclCommand(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "whoami") {
    if (ctx.argv.size() != 2) {
      return ctx.reply.Error("ERR wrong number of arguments for 'acl|whoami' command");
    }
    return WhoAmI(ctx);
  }
  for (const Subcommand& s : kSubcommands) {
    if (s.name != sub) continue;
    size_t argc = ctx.argv.size();
    bool ok =
        s.arity > 0 ? argc == static_cast<size_t>(s.arity) : argc >= static_cast<size_t>(-s.arity);
    if (!ok) {
      return ctx.reply.Error(acl::Cat("ERR wrong number of arguments for 'acl|", sub, "' command"));
    }
    if (s.argc_max != 0 && argc > static_cast<size_t>(s.argc_max)) {
      // Redis 7.0's table gives these a variable arity; the subcommand itself refuses extras.
      return ctx.reply.Error(acl::Cat("ERR unknown subcommand or wrong number of arguments for '",
                                      ctx.argv[1], "'. Try ACL HELP."));
    }
    return s.handler(ctx);
  }
  ctx.reply.Error(
      acl::Cat("ERR unknown subcommand '", ctx.argv[1].substr(0, 128), "'. Try ACL HELP."));
}

}  // namespace

// kNoReplicaAck (command.h): users live in the ACL file, not in the log.
void RegisterAclCommands(CommandRegistry& r) {
  r.Add({"acl", -2, kNoScript | kNoReplicaAck, 0, 0, 0, AclCommand});
}

}  // namespace strongbox::engine
