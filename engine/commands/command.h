// The contract between the server (connections, durability, replies held until durable) and
// the command handlers (Redis semantics). Handlers never touch the log: a command flagged
// kWrite emits its deterministic effects through ctx.effects, and the server turns the effects
// of one command (or one MULTI/EXEC) into exactly one record. A kReadonly command never emits.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/pubsub_registry.h"
#include "engine/protocol/resp_writer.h"

namespace strongbox::state {
class State;  // common/state/state.h: the 16 databases
}

namespace strongbox::engine {

struct Monitors;         // monitors.h: the slow log and the latency monitor
struct ClientFilter;     // client_filter.h: CLIENT LIST / KILL filters
class KeyspaceEvents;    // keyspace_events.h: notify-keyspace-events
class CommandStats;      // command_stats.h: INFO commandstats / errorstats / keyspace hits
class ConfigRegistry;    // engine/server/config_registry.h: CONFIG parameters
class SnapshotRequests;  // durability/snapshot_requests.h: BGSAVE, SAVE, LASTSAVE
class ReplicationHooks;  // engine/replication/replication_hooks.h

// What a command may do. The dispatcher (dispatcher.cc) reads the flags, never the names: it
// refuses kWrite commands while read-only, queues all but kNoMulti ones inside MULTI, and stops
// the process when a command does what its flags rule out: only kWrite commands emit effects
// (kNoMulti ones aside: EXEC's are those of its queue, each checked), only kMayBlock ones park
// the client. Registration rejects kWrite together with kReadonly (command_registry.cc).
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,     // may change state: effects become one record; MISCONF while read-only
  kReadonly = 1u << 1,  // reads only: never emits an effect
  kFast = 1u << 2,      // O(1) or O(log N): reported by COMMAND INFO
  kAdmin = 1u << 3,     // reported by COMMAND INFO
  kNoAuth = 1u << 4,    // allowed before AUTH (AUTH, HELLO, QUIT)
  kNoMulti = 1u << 5,   // runs at once inside MULTI instead of being queued (MULTI, EXEC, ...)
  kMayBlock = 1u << 6,  // may park the client (BLPOP, ...): no other command may fill `block`
  // Redis's denyoom (the command may grow memory): over maxmemory, keys are evicted before it
  // runs, and it is refused with -OOM when nothing can be (the read-only refusal, volume full,
  // stays kWrite's: every write, a shrinking one too, needs the log).
  kDenyOom = 1u << 7,
  // Allowed while a RESP2 client is subscribed ((P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT):
  // the dispatcher refuses every other command then, with Redis 7.0's text.
  kPubSubContext = 1u << 8,
  // Redis's skip_slowlog: never enters the slow log (EXEC: the commands it runs do, one by one).
  kNoSlowlog = 1u << 9,
  kNoScript = 1u << 10,  // refused when a script calls it (Redis's noscript: EVAL, SCRIPT, ...)
  // Runs a script (EVAL...): its effects are those of the commands the script calls, each held
  // to its own flags as it runs, all in the one record of the call.
  kRunsScript = 1u << 11,
  // Its reply depends on no key or value (PING, ECHO, TIME, ...): it need not wait for the log,
  // so a health check never waits for another client's fdatasync (ordering on its connection
  // is kept by the reply gate).
  kStateless = 1u << 12,
  // Its reply reveals no data a record wrote (INFO, ROLE, CONFIG, CLIENT...): with
  // --min-replicas-ack it waits for local durability (and the replies before it) but not for
  // the replicas' acknowledgements, so Sentinel and operators can see and reconfigure a primary
  // whose replicas are gone. Each registration says why it qualifies.
  kNoReplicaAck = 1u << 13,
};

// Receives the deterministic effects of the command being executed. Each Emit is one op of the
// record: (db, argv). The server encodes them straight into the pending log buffer.
class EffectSink {
 public:
  virtual ~EffectSink() = default;
  virtual void Emit(uint8_t db, std::span<const std::string_view> argv) = 0;
  void Emit(uint8_t db, std::initializer_list<std::string_view> argv) {
    Emit(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }
};

// Per-connection state that commands read and change.
struct ClientSession {
  uint64_t id = 0;
  uint8_t db = 0;
  int protocol_version = 2;
  bool authenticated = false;
  std::string user = "default";    // the ACL user (engine/acl/): AUTH changes it
  bool close_after_reply = false;  // QUIT, fatal protocol error
  // Set by Dispatch: the reply just written reveals no state (a kStateless command, or an error
  // or QUEUED given before anything ran), so it depends on no LSN.
  bool reply_stateless = false;
  // Set by Dispatch: the top-level command is kNoReplicaAck (its reply, and a PUBLISH's
  // deliveries, wait for local durability only); by EXEC when every queued command is.
  bool reply_no_replica_ack = false;
  std::string name;
  std::string address;        // "ip:port" for CLIENT LIST/INFO
  std::string local_address;  // the listening side's "ip:port" (laddr)
  int64_t created_ms = 0;     // CLIENT LIST age and idle
  int64_t last_command_ms = 0;
  std::string last_command = "NULL";  // lower case, as CLIENT LIST's cmd
  // CLIENT REPLY: OFF drops every reply, SKIP the next command's (the server truncates them).
  bool reply_off = false;
  bool reply_skip_next = false;
  bool no_evict = false;  // CLIENT NO-EVICT (no eviction yet: reported in flags only)
  // MULTI/EXEC: queued argvs (owned copies) and whether a queued command failed to parse.
  bool in_multi = false;
  bool in_exec = false;    // running a transaction's queue: blocking commands do not block
  bool in_script = false;  // the client a script's redis.call runs as
  bool multi_error = false;
  std::vector<std::vector<std::string>> multi_queue;
  // Blocking commands (BLPOP, BZPOPMIN, ...): a handler that cannot be served now and may block
  // (not inside MULTI/EXEC) fills `block` and writes NO reply. The server then parks the client
  // (stops reading its pipeline), keeps a copy of argv, and re-dispatches the same command when
  // TouchKey() reports a write to one of `block.keys` (clients in the order they blocked), until
  // a run does not block again; at `deadline_ms` (0 = never) it replies NullArray and unparks.
  // The re-dispatched run emits its effects like any command, so an unblocked pop is logged as
  // the deterministic effect it had.
  struct BlockRequest {
    bool active = false;
    std::vector<std::pair<uint8_t, std::string>> keys;
    int64_t deadline_ms = 0;
    // Non-empty: re-dispatch this argv instead of the one sent (XREAD's "$" resolved to the ID
    // it meant when the client blocked).
    std::vector<std::string> rerun_argv;
  } block;
  // Set while the server re-runs a parked command: a key of another type then reads as empty
  // (Redis serves a woken client only from a key of its type, else it stays blocked).
  bool serving_blocked = false;
  // WATCH: set when any watched key is modified (by anyone) before EXEC.
  bool watch_dirty = false;
  std::vector<std::pair<uint8_t, std::string>> watched_keys;
  // Pub/Sub: channels + patterns + shard channels this client listens to (kept by the pub/sub
  // commands from the registry). Non-zero puts a RESP2 client in subscriber mode.
  size_t subscriptions = 0;
  // The LSN of the last record this client's commands wrote (WAIT, WAITAOF).
  uint64_t last_write_lsn = 0;
};

// What handlers may ask of the server (INFO, CONFIG, CLIENT, read-only mode, shutdown...).
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  // INFO's arguments, lower case, separated by spaces ("" = the default sections).
  virtual std::string InfoSection(std::string_view sections) = 0;
  virtual bool read_only() const = 0;
  virtual std::string read_only_reason() const = 0;
  virtual bool password_required() const = 0;
  virtual size_t connected_clients() const = 0;
  // The CONFIG parameters (engine/server/config_registry.h); nullptr where there are none.
  virtual ConfigRegistry* config_registry() { return nullptr; }
  // CONFIG REWRITE: "" once the --config file holds the values in effect, else Redis's error.
  virtual std::string ConfigRewrite() { return "ERR The server is running without a config file"; }
  // CLIENT LIST / INFO lines of the connections the filter matches; CLIENT KILL closes them
  // (the caller's own connection after its reply) and returns how many.
  virtual std::string ClientList(const ClientFilter& filter) const = 0;
  virtual size_t KillClients(const ClientFilter& /*filter*/) { return 0; }
  // CLIENT UNBLOCK: answers a client parked by a blocking command as at its timeout, or with
  // the UNBLOCKED error; false if no such client is blocked.
  virtual bool UnblockClient(uint64_t /*id*/, bool /*with_error*/) { return false; }
  // CLIENT PAUSE until_ms WRITE|ALL and CLIENT UNPAUSE: commands that may write (or all)
  // wait, unread, until the pause ends.
  virtual void PauseClients(int64_t /*until_ms*/, bool /*all*/) {}
  virtual void UnpauseClients() {}
  // Key-modification hook for WATCH: called by handlers after a write touches (db, key).
  virtual void TouchKey(uint8_t db, std::string_view key) = 0;
  virtual void TouchAll(int db /* -1 = every db */) = 0;
  // WATCH registry: the server marks the session's watch_dirty when a watched key changes.
  virtual void Watch(ClientSession& client, uint8_t db, std::string_view key) = 0;
  virtual void UnwatchAll(ClientSession& client) = 0;
  // Pub/Sub: the registry, and delivery of one message to every receiver (written to their
  // output, sent like their replies); returns the number of receivers.
  virtual PubSubRegistry& pubsub() = 0;
  virtual size_t Publish(PubSubKind kind, std::string_view channel, std::string_view message) = 0;
  // SLOWLOG and LATENCY state; nullptr where there is none (test fakes): nothing is recorded.
  virtual Monitors* monitors() { return nullptr; }
  // A script has run past busy-reply-threshold: serve the other clients once (BUSY replies,
  // SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE) without running their commands. True when a
  // kill was asked for and allowed (the script has not written).
  virtual bool ServeWhileScriptBusy(bool /*is_function*/, bool /*wrote*/) { return false; }
  // MONITOR: from now on the client receives a line for each command any client runs.
  virtual void AddMonitor(ClientSession& /*client*/) {}
  // RESET: the connection stops monitoring.
  virtual void RemoveMonitor(uint64_t /*client_id*/) {}
  // SHUTDOWN: drain and exit as on SIGTERM.
  virtual void RequestShutdown() {}
  // Keyspace notifications; nullptr where there are none (test fakes): nothing is published.
  virtual KeyspaceEvents* keyspace_events() { return nullptr; }
  // INFO's command, error and keyspace-hit statistics; nullptr where there are none (test fakes).
  virtual CommandStats* command_stats() { return nullptr; }
  // CONFIG RESETSTAT: zeroes the statistics Redis resets.
  virtual void ResetStats() {}
  // maxmemory: evicts (DEL effects into `effects`) until used memory is under the limit;
  // false when it is still over (the command must be refused). Remembered for out_of_memory.
  virtual bool FreeMemoryIfNeeded(EffectSink& /*effects*/, int64_t /*now_ms*/) { return true; }
  // What the last FreeMemoryIfNeeded found (Redis's pre_command_oom_state, for scripts).
  virtual bool out_of_memory() const { return false; }
  // Snapshot requests to the snapshotter; nullptr where there are none (test fakes).
  virtual SnapshotRequests* snapshot_requests() { return nullptr; }
  // REPLICAOF, ROLE, PSYNC, WAIT... (engine/replication/); nullptr where there is none.
  virtual ReplicationHooks* replication() { return nullptr; }
};

struct CommandContext {
  std::span<const std::string_view> argv;  // argv[0] is the command name as sent
  ClientSession& client;
  state::State& state;
  RespWriter& reply;
  EffectSink& effects;
  ServerHooks& server;
  int64_t now_ms;  // one clock reading per command (per EXEC), so effects are consistent
  // The monotonic clock (µs) when the command arrived, if the caller read it (0: not read):
  // the command's duration starts there, saving a clock read per command.
  int64_t started_us = 0;
};

using CommandHandler = void (*)(CommandContext& ctx);

// One command as its family registers it (command_registry.h).
struct CommandSpec {
  std::string_view name;  // lower case
  int arity;              // Redis convention: N exact, -N at least N (name included)
  uint32_t flags;
  int first_key;  // COMMAND INFO key positions
  int last_key;
  int key_step;
  CommandHandler handler;
};

}  // namespace strongbox::engine
