// REPLICAOF / SLAVEOF, ROLE, REPLCONF, PSYNC, WAIT and WAITAOF: argument checks with Redis's
// texts; the work is the server's (replication_hooks.h).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/commands/command.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/protocol/resp_writer.h"
#include "engine/replication/replication_hooks.h"

namespace strongbox::engine {

namespace {

void ReplicaofCommand(CommandContext& ctx) {
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR replication is not available");
  if (ToLower(ctx.argv[1]) == "no" && ToLower(ctx.argv[2]) == "one") {
    repl->PromoteToPrimary();
    return ctx.reply.SimpleString("OK");
  }
  auto port = ParseInt(ctx.argv[2]);
  if (!port || *port < 0 || *port > 65535) return ctx.reply.Error("ERR Invalid master port");
  std::string answer = repl->ReplicaOf(ctx.argv[1], static_cast<int>(*port));
  if (answer.empty()) return ctx.reply.SimpleString("OK");
  if (answer.starts_with("+")) return ctx.reply.SimpleString(std::string_view(answer).substr(1));
  ctx.reply.Error(answer);
}

void RoleCommand(CommandContext& ctx) {
  if (ReplicationHooks* repl = ctx.server.replication()) return repl->WriteRole(ctx.reply);
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(0);
  ctx.reply.ArrayHeader(0);
}

void ReplconfCommand(CommandContext& ctx) {
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR replication is not available");
  if (ctx.argv.size() == 1) return ctx.reply.SimpleString("OK");  // no option: nothing to do
  if (ctx.argv.size() < 3 && ToLower(ctx.argv[1]) != "getack") {
    return ctx.reply.Error("ERR syntax error");
  }
  repl->Replconf(ctx.client, ctx.argv, ctx.reply);
}

void PsyncCommand(CommandContext& ctx) {
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR replication is not available");
  auto next = ParseInt(ctx.argv[2]);
  if (!next) return ctx.reply.Error(kErrNotInteger);
  repl->Psync(ctx.client, ctx.argv[1], *next < 0 ? 0 : static_cast<uint64_t>(*next), ctx.reply);
}

// Redis's getTimeoutFromObjectOrReply for WAIT's milliseconds.
bool ParseWaitTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  auto v = ParseInt(arg);
  if (!v) {
    ctx.reply.Error("ERR timeout is not an integer or out of range");
    return false;
  }
  if (*v < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  *timeout_ms = *v;
  return true;
}

void WaitCommand(CommandContext& ctx) {
  auto numreplicas = ParseInt(ctx.argv[1]);
  if (!numreplicas) return ctx.reply.Error(kErrNotInteger);
  int64_t timeout_ms = 0;
  if (!ParseWaitTimeout(ctx, ctx.argv[2], &timeout_ms)) return;
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) return ctx.reply.Integer(0);
  repl->Wait(ctx.client, -1, *numreplicas, timeout_ms, ctx.reply);
}

void WaitaofCommand(CommandContext& ctx) {
  auto numlocal = ParseInt(ctx.argv[1]);
  auto numreplicas = ParseInt(ctx.argv[2]);
  if (!numlocal || !numreplicas) return ctx.reply.Error(kErrNotInteger);
  if (*numlocal < 0 || *numreplicas < 0) return ctx.reply.Error(kErrNotInteger);
  int64_t timeout_ms = 0;
  if (!ParseWaitTimeout(ctx, ctx.argv[3], &timeout_ms)) return;
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(1);
    return ctx.reply.Integer(0);
  }
  repl->Wait(ctx.client, *numlocal, *numreplicas, timeout_ms, ctx.reply);
}

}  // namespace

void RegisterReplicationCommands(CommandRegistry& r) {
  // kNoReplicaAck (command.h): an OK, offsets and peers reveal no data, and Sentinel must be
  // able to see and repoint a primary whose replicas are gone.
  r.Add({"replicaof", 3, kAdmin | kNoScript | kNoReplicaAck, 0, 0, 0, ReplicaofCommand});
  r.Add({"slaveof", 3, kAdmin | kNoScript | kNoReplicaAck, 0, 0, 0, ReplicaofCommand});
  r.Add({"role", 1, kFast | kNoScript | kNoReplicaAck, 0, 0, 0, RoleCommand});
  // Stateless: the handshake's answers depend on no record (PSYNC's LSN is durable already), so
  // they never wait behind other clients' fsyncs or, with --min-replicas-ack, for the very
  // replica asking.
  r.Add({"replconf", -1, kAdmin | kNoScript | kStateless, 0, 0, 0, ReplconfCommand});
  r.Add({"psync", -3, kAdmin | kNoScript | kStateless, 0, 0, 0, PsyncCommand});
  // kNoReplicaAck: a count of acknowledgements, which must not wait for the acks it counts.
  r.Add({"wait", 3, kNoScript | kNoReplicaAck, 0, 0, 0, WaitCommand});
  r.Add({"waitaof", 4, kNoScript | kNoReplicaAck, 0, 0, 0, WaitaofCommand});
}

}  // namespace strongbox::engine
