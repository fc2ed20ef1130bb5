// Connection commands: PING ECHO HELLO AUTH SELECT RESET QUIT (CLIENT: client_commands.cc).
#include <climits>

#include "engine/acl/acl_gate.h"
#include "engine/acl/acl_store.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

void Ping(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    return ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
  }
  if (ctx.client.subscriptions > 0 && ctx.client.protocol_version == 2) {
    // RESP2 subscriber mode: a reply shaped like a message, so a listener can tell it apart.
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.argv.size() == 2 ? ctx.argv[1] : "");
  }
  ctx.argv.size() == 2 ? ctx.reply.Bulk(ctx.argv[1]) : ctx.reply.SimpleString("PONG");
}

void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.argv[1]); }

// AUTH and HELLO ... AUTH: on success the connection becomes the user's; a failure is logged in
// the ACL LOG and answered with WRONGPASS.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  if (acl::Acl().Authenticate(user, password)) {
    ctx.client.authenticated = true;
    ctx.client.user = std::string(user);
    return true;
  }
  // The object is the command as the client spelled it (AUTH or HELLO), as Redis 7.0 logs it.
  AclLogDenial(ctx, "auth", "toplevel", std::string(ctx.argv[0]), std::string(user));
  ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
  return false;
}

void Hello(CommandContext& ctx) {
  int version = ctx.client.protocol_version;
  size_t i = 1;
  if (ctx.argv.size() >= 2) {
    auto v = ParseInt(ctx.argv[1]);
    if (!v) return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    if (*v != 2 && *v != 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
    version = static_cast<int>(*v);
    i = 2;
  }
  for (; i < ctx.argv.size(); ++i) {
    std::string opt = ToLower(ctx.argv[i]);
    if (opt == "auth" && i + 2 < ctx.argv.size()) {
      if (!Authenticate(ctx, ctx.argv[i + 1], ctx.argv[i + 2])) return;
      i += 2;
    } else if (opt == "setname" && i + 1 < ctx.argv.size()) {
      ctx.client.name = std::string(ctx.argv[++i]);
    } else {
      return ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(ctx.argv[i]) + "'");
    }
  }
  if (ctx.server.password_required() && !ctx.client.authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, "
        "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
        "authenticate the client and select the RESP protocol version at the "
        "same time");
  }
  ctx.client.protocol_version = version;
  ctx.reply.set_protocol_version(version);
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.0.0");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(version);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayHeader(0);
}

void Auth(CommandContext& ctx) {
  if (ctx.argv.size() > 3) return ctx.reply.Error(kErrSyntax);
  // The one-argument form names the default user; Redis 7.0 refuses it while that user is
  // nopass, as before ACLs.
  if (ctx.argv.size() == 2 && acl::Acl().Find("default")->nopass) {
    return ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  }
  std::string_view user = ctx.argv.size() == 3 ? ctx.argv[1] : "default";
  if (Authenticate(ctx, user, ctx.argv.back())) ctx.reply.SimpleString("OK");
}

void Select(CommandContext& ctx) {
  auto db = ParseIntInRange(ctx, ctx.argv[1], INT_MIN, INT_MAX);
  if (!db) return;
  if (*db < 0 || *db >= state::kDatabaseCount) {
    return ctx.reply.Error("ERR DB index is out of range");
  }
  ctx.client.db = static_cast<uint8_t>(*db);
  ctx.reply.SimpleString("OK");
}

void Quit(CommandContext& ctx) {
  ctx.client.close_after_reply = true;
  ctx.reply.SimpleString("OK");
}

// RESET: the connection as a new one finds it (Redis 7.0's clearClientConnectionState): no
// transaction or watched keys, no subscriptions, not monitoring, RESP2, database 0, no name,
// replies on, no-evict off, the default user (authenticated only if it needs no password).
void Reset(CommandContext& ctx) {
  ClientSession& c = ctx.client;
  c.in_multi = false;
  c.multi_error = false;
  c.multi_queue.clear();
  ctx.server.UnwatchAll(c);
  c.watch_dirty = false;
  ctx.server.pubsub().RemoveClient(c.id);
  c.subscriptions = 0;
  ctx.server.RemoveMonitor(c.id);
  c.protocol_version = 2;
  c.db = 0;
  c.name.clear();
  c.reply_off = false;
  c.reply_skip_next = false;
  c.no_evict = false;
  c.user = "default";
  c.authenticated = !ctx.server.password_required();
  ctx.reply.SimpleString("RESET");
}

}  // namespace

void RegisterConnectionCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"ping", -1, kFast | kPubSubContext | kStateless, 0, 0, 0, Ping});
  r.Add({"echo", 2, kFast | kStateless, 0, 0, 0, Echo});
  // kNoReplicaAck (command.h): the session and the server's identity, no data.
  r.Add({"hello", -1, kFast | kNoAuth | kNoScript | kNoReplicaAck, 0, 0, 0, Hello});
  r.Add({"auth", -2, kFast | kNoAuth | kNoScript | kNoReplicaAck, 0, 0, 0, Auth});
  r.Add({"select", 2, kFast, 0, 0, 0, Select});
  r.Add({"reset", 1, kFast | kNoAuth | kNoMulti | kPubSubContext | kNoScript, 0, 0, 0, Reset});
  r.Add({"quit", -1, kFast | kNoAuth | kNoMulti | kPubSubContext | kNoScript, 0, 0, 0, Quit});
}

}  // namespace strongbox::engine
