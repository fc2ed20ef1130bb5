// Command dispatch: the flags, not the names, decide what runs, what is queued inside MULTI and
// what a command may do; a command that breaks its flags' promise stops the process.
#include "engine/commands/dispatcher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/util/check.h"
#include "engine/acl/acl_gate.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_stats.h"
#include "engine/commands/monitors.h"
#include "engine/replication/replication_hooks.h"

namespace strongbox::engine {

bool ArityOk(const CommandSpec& spec, size_t argc) {
  return spec.arity > 0 ? argc == static_cast<size_t>(spec.arity)
                        : argc >= static_cast<size_t>(-spec.arity);
}

namespace {

std::string UnknownCommand(std::span<const std::string_view> argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    absl::StrAppend(&args, "'", std::string(argv[i].substr(0, 128)), "' ");
  }
  return absl::StrCat("ERR unknown command '", std::string(argv[0].substr(0, 128)),
                      "', with args beginning with: ", args);
}

std::string WrongArity(const CommandSpec& spec) {
  return absl::StrCat("ERR wrong number of arguments for '", std::string(spec.name), "' command");
}

// Passes effects on and counts them, so the dispatcher can check a command that may not emit.
class CountingSink final : public EffectSink {
 public:
  explicit CountingSink(EffectSink& next) : next_(next) {}
  using EffectSink::Emit;
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    ++emitted_;
    next_.Emit(db, argv);
  }
  size_t emitted() const { return emitted_; }

 private:
  EffectSink& next_;
  size_t emitted_ = 0;
};

// Redis names a subcommand of a container command "config|get" in its errors.
std::string FullName(const CommandSpec& spec, std::span<const std::string_view> argv) {
  static constexpr std::string_view kContainers[] = {
      "acl",    "client", "cluster", "command", "config", "function", "latency",
      "memory", "module", "object",  "pubsub",  "script", "slowlog",  "xinfo"};
  std::string name(spec.name);
  bool container =
      std::find(std::begin(kContainers), std::end(kContainers), name) != std::end(kContainers);
  if (container && argv.size() >= 2)
    absl::StrAppend(&name, "|", absl::AsciiStrToLower(std::string(argv[1])));
  return name;
}

// A RESP2 client with subscriptions only runs the pub/sub context commands (Redis 7.0 checks
// this after lookup and arity, before MULTI queueing); RESP3 clients run anything.
bool SubscriberModeAllows(CommandContext& ctx, const CommandSpec& spec) {
  if (ctx.client.subscriptions == 0 || ctx.client.protocol_version != 2) return true;
  if (spec.flags & kPubSubContext) return true;
  ctx.reply.Error(absl::StrCat("ERR Can't execute '", FullName(spec, ctx.argv),
                               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                               "are allowed in this context"));
  return false;
}

}  // namespace

// A replica refuses writes (replica-read-only), a primary with too few good replicas too
// (min-replicas-to-write, --min-replicas-ack) and, while a replica's link is down with
// replica-serve-stale-data no, what reads data (Redis's commands without the stale flag; here:
// readonly ones and scripts — INFO, ROLE, PING, CONFIG... still answer, as Sentinel needs).
std::string_view ReplicaRefusal(CommandContext& ctx, uint32_t flags) {
  ReplicationHooks* repl = ctx.server.replication();
  if (repl == nullptr) return {};
  if ((flags & kWrite) && repl->refuses_writes()) {
    return "READONLY You can't write against a read only replica.";
  }
  if ((flags & kWrite) && !repl->enough_good_replicas()) return kErrNoReplicas;
  if ((flags & (kReadonly | kRunsScript)) && repl->refuses_stale_reads()) {
    return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  }
  return {};
}

namespace {

bool ReplicaAdmits(CommandContext& ctx, const CommandSpec& spec) {
  std::string_view refusal = ReplicaRefusal(ctx, spec.flags);
  if (refusal.empty()) return true;
  ctx.reply.Error(refusal);
  return false;
}

// Checks that do not depend on MULTI: returns false after writing the error.
bool Admit(CommandContext& ctx, const CommandSpec& spec, AclWhere where) {
  if (ctx.server.password_required() && !ctx.client.authenticated && !(spec.flags & kNoAuth)) {
    ctx.reply.Error("NOAUTH Authentication required.");
    return false;
  }
  if (!AclAdmits(ctx, spec, where)) return false;
  // A replica's writes are refused as such, whatever the state of its volume.
  if (!ReplicaAdmits(ctx, spec)) return false;
  if ((spec.flags & kWrite) && ctx.server.read_only()) {
    ctx.reply.Error(absl::StrCat("MISCONF ", ctx.server.read_only_reason()));
    return false;
  }
  return true;
}

// The handler, held to its flags: only a kWrite command emits effects (a kNoMulti one aside:
// EXEC's effects are its queue's, each checked as it runs).
void RunChecked(CommandContext& ctx, const CommandSpec& spec) {
  if (spec.flags & (kWrite | kNoMulti | kRunsScript)) {
    spec.handler(ctx);
  } else {
    CountingSink counted(ctx.effects);
    CommandContext checked{ctx.argv, ctx.client, ctx.state, ctx.reply,
                           counted,  ctx.server, ctx.now_ms};
    spec.handler(checked);
    SB_CHECK(counted.emitted() == 0, "'%s' is not flagged write but emitted %zu effects",
             std::string(spec.name).c_str(), counted.emitted());
  }
}

// commandstats under Redis's name ("config|get"); an unknown subcommand is no command to
// count (Redis's lookup fails on it), and would let clients grow the table without bound.
void RecordStats(CommandContext& ctx, const CommandSpec& spec, CommandStats& stats,
                 size_t reply_start, int64_t duration_us) {
  std::string_view out = *ctx.reply.buffer();
  std::string_view reply = reply_start <= out.size() ? out.substr(reply_start) : "";
  if (reply.starts_with("-ERR unknown subcommand")) return;
  stats.RecordCall(FullName(spec, ctx.argv), duration_us, reply.starts_with("-"));
}

// Runs the handler: only a kMayBlock one parks the client, and never inside EXEC; what ran is
// timed for the slow log and the latency monitor.
void Run(CommandContext& ctx, const CommandSpec& spec) {
  bool was_blocked = ctx.client.block.active;
  Monitors* monitors = ctx.server.monitors();
  CommandStats* stats = ctx.server.command_stats();
  if (stats != nullptr) stats->set_lookups_counted((spec.flags & kReadonly) != 0);
  size_t reply_start = ctx.reply.buffer()->size();
  int64_t started_us = 0;
  if (monitors != nullptr || stats != nullptr) {
    started_us = ctx.started_us != 0 ? std::exchange(ctx.started_us, 0) : MonotonicUs();
  }
  RunChecked(ctx, spec);
  SB_CHECK(
      was_blocked || !ctx.client.block.active || ((spec.flags & kMayBlock) && !ctx.client.in_exec),
      "'%s' parked the client without kMayBlock or inside EXEC", std::string(spec.name).c_str());
  // A parked command is recorded by the run that finally serves it, as Redis does on unblock.
  if (ctx.client.block.active) return;
  int64_t duration_us = MonotonicUs() - started_us;
  if (monitors != nullptr) RecordCommand(*monitors, spec, ctx, duration_us);
  if (stats != nullptr) RecordStats(ctx, spec, *stats, reply_start, duration_us);
}

// Redis's rejected_calls: the command was found but refused before it ran.
void CountRejected(CommandContext& ctx, const CommandSpec& spec) {
  if (CommandStats* stats = ctx.server.command_stats()) stats->RecordRejected(spec.name);
}

// Inside MULTI: checks what can be checked now and queues the command (Redis 7.0 texts); a
// failed check makes the EXEC abort.
void Queue(CommandContext& ctx, const CommandSpec* spec) {
  if (spec == nullptr) {
    ctx.client.multi_error = true;
    return ctx.reply.Error(UnknownCommand(ctx.argv));
  }
  if (!ArityOk(*spec, ctx.argv.size())) {
    ctx.client.multi_error = true;
    CountRejected(ctx, *spec);
    return ctx.reply.Error(WrongArity(*spec));
  }
  if (ctx.server.password_required() && !ctx.client.authenticated) {
    ctx.client.multi_error = true;
    return ctx.reply.Error("NOAUTH Authentication required.");
  }
  if (!AclAdmits(ctx, *spec, AclWhere::kQueue)) {
    ctx.client.multi_error = true;
    return;
  }
  // Redis 7.0 refuses any command queued while over maxmemory (the EXEC then aborts).
  if (!ctx.server.FreeMemoryIfNeeded(ctx.effects, ctx.now_ms)) {
    ctx.client.multi_error = true;
    return ctx.reply.Error(kErrOom);
  }
  // READONLY / NOREPLICAS / MASTERDOWN refuse the command when queued, as Redis (EXEC aborts).
  if (!ReplicaAdmits(ctx, *spec)) {
    ctx.client.multi_error = true;
    return;
  }
  ctx.client.multi_queue.emplace_back(ctx.argv.begin(), ctx.argv.end());
  ctx.reply.SimpleString("QUEUED");
}

}  // namespace

void Dispatch(CommandContext& ctx) {
  // Until something runs, the reply (an error, QUEUED) reveals no state.
  ctx.client.reply_stateless = true;
  ctx.client.reply_no_replica_ack = false;
  if (ctx.argv.empty()) return;
  const CommandSpec* spec = FindCommand(ctx.argv[0]);
  if (spec != nullptr) ctx.client.last_command = FullName(*spec, ctx.argv);  // CLIENT LIST cmd
  if (spec != nullptr && ArityOk(*spec, ctx.argv.size()) && !SubscriberModeAllows(ctx, *spec)) {
    return CountRejected(ctx, *spec);
  }
  if (ctx.client.in_multi && !(spec != nullptr && (spec->flags & kNoMulti))) {
    return Queue(ctx, spec);
  }
  if (spec == nullptr) return ctx.reply.Error(UnknownCommand(ctx.argv));
  if (!ArityOk(*spec, ctx.argv.size())) {
    CountRejected(ctx, *spec);
    return ctx.reply.Error(WrongArity(*spec));
  }
  if (!Admit(ctx, *spec, AclWhere::kTopLevel)) return CountRejected(ctx, *spec);
  // Over maxmemory, evict first; a command that may grow memory is refused if that fails. A
  // script's commands are judged as they run, by this outcome (Redis's pre_command_oom_state).
  if ((spec->flags & (kDenyOom | kRunsScript)) &&
      !ctx.server.FreeMemoryIfNeeded(ctx.effects, ctx.now_ms) && (spec->flags & kDenyOom)) {
    CountRejected(ctx, *spec);
    return ctx.reply.Error(kErrOom);
  }
  ctx.client.reply_stateless = (spec->flags & kStateless) != 0;
  ctx.client.reply_no_replica_ack = (spec->flags & kNoReplicaAck) != 0;
  Run(ctx, *spec);
}

void DispatchQueued(CommandContext& ctx) {
  const CommandSpec* spec = FindCommand(ctx.argv[0]);
  SB_CHECK(spec != nullptr, "a queued command is unknown");  // Queue() refused those
  if (!Admit(ctx, *spec, AclWhere::kExec)) return;
  Run(ctx, *spec);
}

}  // namespace strongbox::engine
