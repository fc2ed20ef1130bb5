// CLIENT and its subcommands, with Redis 7.0's replies and errors: ID, SETNAME, GETNAME,
// SETINFO, INFO, LIST [TYPE t] [ID id...], KILL (addr, or ID/ADDR/LADDR/USER/SKIPME/TYPE
// filters), REPLY ON|OFF|SKIP (the server drops the replies), UNBLOCK, PAUSE/UNPAUSE,
// NO-EVICT, NO-TOUCH.
#include <string>

#include "engine/acl/acl_store.h"
#include "engine/commands/client_filter.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

// Subcommand arities (Redis convention, the subcommand counted), for the arity error text.
int SubcommandArity(std::string_view sub) {
  static constexpr std::pair<std::string_view, int> kArity[] = {
      {"id", 2},       {"setname", 3}, {"getname", 2}, {"setinfo", 4},  {"info", 2},
      {"list", -2},    {"kill", -3},   {"reply", 3},   {"no-evict", 3}, {"no-touch", 3},
      {"unblock", -3}, {"pause", -3},  {"unpause", 2}};
  for (auto [name, arity] : kArity) {
    if (name == sub) return arity;
  }
  return 0;
}

// Redis's getClientTypeByName; "slave" is the old name of "replica".
bool ParseClientType(CommandContext& ctx, std::string_view arg, ClientFilter* filter) {
  std::string type = ToLower(arg);
  if (type == "slave") type = "replica";
  if (type != "normal" && type != "master" && type != "replica" && type != "pubsub") {
    ctx.reply.Error("ERR Unknown client type '" + std::string(arg) + "'");
    return false;
  }
  filter->type = type;
  return true;
}

void List(CommandContext& ctx) {
  ClientFilter filter;
  size_t argc = ctx.argv.size();
  if (argc == 4 && EqualsIgnoreCase(ctx.argv[2], "type")) {
    if (!ParseClientType(ctx, ctx.argv[3], &filter)) return;
  } else if (argc >= 4 && EqualsIgnoreCase(ctx.argv[2], "id")) {
    for (size_t i = 3; i < argc; ++i) {
      auto id = ParseInt(ctx.argv[i]);
      if (!id) return ctx.reply.Error("ERR Invalid client ID");  // 0 is no client: none listed
      filter.ids.push_back(static_cast<uint64_t>(*id));
    }
  } else if (argc != 2) {
    return ctx.reply.Error(kErrSyntax);
  }
  ctx.reply.Verbatim(ctx.server.ClientList(filter));
}

bool Refuse(CommandContext& ctx, std::string_view error) {
  ctx.reply.Error(error);
  return false;
}
bool SyntaxError(CommandContext& ctx) { return Refuse(ctx, kErrSyntax); }

// The filter pairs of CLIENT KILL's new form; false after the error reply.
bool ParseKillFilter(CommandContext& ctx, ClientFilter* filter) {
  filter->skip_me = true;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) {
    if (i + 1 >= ctx.argv.size()) return SyntaxError(ctx);
    std::string opt = ToLower(ctx.argv[i]);
    std::string_view value = ctx.argv[i + 1];
    if (opt == "id") {
      auto id = ParseInt(value);
      if (!id || *id <= 0) return Refuse(ctx, "ERR client-id should be greater than 0");
      filter->ids.push_back(static_cast<uint64_t>(*id));
    } else if (opt == "type") {
      if (!ParseClientType(ctx, value, filter)) return false;
    } else if (opt == "addr") {
      filter->addr = std::string(value);
    } else if (opt == "laddr") {
      filter->laddr = std::string(value);
    } else if (opt == "user") {
      if (acl::Acl().Find(value) == nullptr) {
        return Refuse(ctx, "ERR No such user '" + std::string(value) + "'");
      }
      filter->user = std::string(value);
    } else if (opt == "skipme") {
      if (EqualsIgnoreCase(value, "yes")) {
        filter->skip_me = true;
      } else if (EqualsIgnoreCase(value, "no")) {
        filter->skip_me = false;
      } else {
        return SyntaxError(ctx);
      }
    } else {
      return SyntaxError(ctx);
    }
  }
  return true;
}

void Kill(CommandContext& ctx) {
  ClientFilter filter;
  filter.me = ctx.client.id;
  if (ctx.argv.size() == 3) {  // the old form: CLIENT KILL addr:port
    filter.addr = std::string(ctx.argv[2]);
    if (ctx.server.KillClients(filter) == 0) return ctx.reply.Error("ERR No such client");
    return ctx.reply.SimpleString("OK");
  }
  if (!ParseKillFilter(ctx, &filter)) return;
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.KillClients(filter)));
}

void Reply(CommandContext& ctx) {
  std::string mode = ToLower(ctx.argv[2]);
  if (mode == "on") {
    ctx.client.reply_off = false;
    ctx.client.reply_skip_next = false;
    return ctx.reply.SimpleString("OK");
  }
  // OFF and SKIP answer nothing themselves.
  if (mode == "off") {
    ctx.client.reply_off = true;
  } else if (mode == "skip") {
    if (!ctx.client.reply_off) ctx.client.reply_skip_next = true;
  } else {
    ctx.reply.Error(kErrSyntax);
  }
}

// Redis 7.0's own argument count check, past the command table's arity.
void WrongArgCount(CommandContext& ctx, std::string_view sub) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
                  "'. Try CLIENT HELP.");
}

void Unblock(CommandContext& ctx) {
  if (ctx.argv.size() > 4) return WrongArgCount(ctx, "UNBLOCK");
  auto id = ParseInt(ctx.argv[2]);
  if (!id) return ctx.reply.Error(kErrNotInteger);
  bool with_error = false;
  if (ctx.argv.size() == 4 && EqualsIgnoreCase(ctx.argv[3], "error")) {
    with_error = true;
  } else if (ctx.argv.size() == 4 && !EqualsIgnoreCase(ctx.argv[3], "timeout")) {
    return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  bool unblocked = *id > 0 && ctx.server.UnblockClient(static_cast<uint64_t>(*id), with_error);
  ctx.reply.Integer(unblocked ? 1 : 0);
}

void Pause(CommandContext& ctx) {
  if (ctx.argv.size() > 4) return WrongArgCount(ctx, "PAUSE");
  auto timeout_ms = ParseInt(ctx.argv[2]);
  if (!timeout_ms) return ctx.reply.Error("ERR timeout is not an integer or out of range");
  if (*timeout_ms < 0) return ctx.reply.Error("ERR timeout is negative");
  bool all = true;
  if (ctx.argv.size() == 4) {
    if (EqualsIgnoreCase(ctx.argv[3], "write")) {
      all = false;
    } else if (!EqualsIgnoreCase(ctx.argv[3], "all")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  int64_t until_ms = *timeout_ms > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + *timeout_ms;
  ctx.server.PauseClients(until_ms, all);
  ctx.reply.SimpleString("OK");
}

void SetName(CommandContext& ctx) {
  for (char c : ctx.argv[2]) {
    if (c < '!' || c > '~') {
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
  }
  ctx.client.name = std::string(ctx.argv[2]);
  ctx.reply.SimpleString("OK");
}

// NO-EVICT and NO-TOUCH take on|off.
bool ParseOnOff(CommandContext& ctx, bool* on) {
  if (EqualsIgnoreCase(ctx.argv[2], "on")) {
    *on = true;
  } else if (EqualsIgnoreCase(ctx.argv[2], "off")) {
    *on = false;
  } else {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  return true;
}

void Client(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  int arity = SubcommandArity(sub);
  if (arity == 0) {
    return ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) +
                           "'. Try CLIENT HELP.");
  }
  if (!(arity > 0 ? ctx.argv.size() == static_cast<size_t>(arity)
                  : ctx.argv.size() >= static_cast<size_t>(-arity))) {
    return ctx.reply.Error("ERR wrong number of arguments for 'client|" + sub + "' command");
  }
  bool on = false;
  if (sub == "id") return ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  if (sub == "setname") return SetName(ctx);
  if (sub == "getname") {
    return ctx.client.name.empty() ? ctx.reply.Null() : ctx.reply.Bulk(ctx.client.name);
  }
  if (sub == "setinfo") return ctx.reply.SimpleString("OK");
  if (sub == "info") {
    ClientFilter self;
    self.ids.push_back(ctx.client.id);
    return ctx.reply.Verbatim(ctx.server.ClientList(self));
  }
  if (sub == "list") return List(ctx);
  if (sub == "kill") return Kill(ctx);
  if (sub == "reply") return Reply(ctx);
  if (sub == "unblock") return Unblock(ctx);
  if (sub == "pause") return Pause(ctx);
  if (sub == "unpause") {
    ctx.server.UnpauseClients();
    return ctx.reply.SimpleString("OK");
  }
  if (!ParseOnOff(ctx, &on)) return;
  if (sub == "no-evict") ctx.client.no_evict = on;
  ctx.reply.SimpleString("OK");  // no-touch: nothing tracks access times
}

}  // namespace

void RegisterClientCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  // kNoReplicaAck (command.h): connections, names, pauses, kills; no data.
  r.Add({"client", -2, kAdmin | kNoScript | kNoReplicaAck, 0, 0, 0, Client});
}

}  // namespace strongbox::engine
