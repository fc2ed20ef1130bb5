// The engine process: wires the parts together. One io_uring loop (ring.h) serves connections
// (connection_io.cc), executes commands at once, and holds their replies (reply_gate.h) until
// the group commit (group_commit.h) has made the records they depend on durable.
#pragma once

#include <sys/signalfd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/metrics/http_server.h"
#include "common/metrics/registry.h"
#include "common/state/lazy_free.h"
#include "common/state/state.h"
#include "engine/acl/acl_store.h"
#include "engine/commands/command.h"
#include "engine/commands/command_stats.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/monitors.h"
#include "engine/commands/watched_keys.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/snapshot_requests.h"
#include "engine/protocol/resp_parser.h"
#include "engine/replication/replication.h"
#include "engine/server/blocked_clients.h"
#include "engine/server/config.h"
#include "engine/server/config_registry.h"
#include "engine/server/connection.h"
#include "engine/server/engine_metrics.h"
#include "engine/server/evictor.h"
#include "engine/server/group_commit.h"
#include "engine/server/instantaneous_metrics.h"
#include "engine/server/reply_gate.h"
#include "engine/server/ring.h"
#include "engine/server/tls_context.h"
#include "engine/server/used_memory.h"

namespace strongbox::engine {

class Server final : public ServerHooks {
 public:
  Server(EngineConfig config, io::FileSystem& fs);
  ~Server() override;
  // Locks, recovers, serves until SIGTERM/SIGINT; returns the process exit code.
  int Run();

  // ServerHooks
  std::string InfoSection(std::string_view section) override;
  bool read_only() const override { return !log_ || !log_->accepting_writes(); }
  std::string read_only_reason() const override;
  bool password_required() const override { return !acl::Acl().default_open(); }
  size_t connected_clients() const override { return conns_.size(); }
  std::string ClientList(const ClientFilter& filter) const override;
  size_t KillClients(const ClientFilter& filter) override;
  bool UnblockClient(uint64_t id, bool with_error) override;
  void PauseClients(int64_t until_ms, bool all) override;
  void UnpauseClients() override;
  void TouchKey(uint8_t db, std::string_view key) override;
  void TouchAll(int db) override {
    watched_.TouchDb(db);
    blocked_.OnDatabaseTouched(db);  // SWAPDB brings keys of another database into this one
  }
  void Watch(ClientSession& client, uint8_t db, std::string_view key) override {
    watched_.Watch(client, db, key);
  }
  void UnwatchAll(ClientSession& client) override { watched_.UnwatchAll(client); }
  PubSubRegistry& pubsub() override { return pubsub_; }
  size_t Publish(PubSubKind kind, std::string_view channel, std::string_view message) override;
  ConfigRegistry* config_registry() override { return &config_registry_; }
  std::string ConfigRewrite() override;
  Monitors* monitors() override { return &monitors_; }
  bool ServeWhileScriptBusy(bool is_function, bool wrote) override;
  KeyspaceEvents* keyspace_events() override { return &keyspace_events_; }
  CommandStats* command_stats() override { return &command_stats_; }
  void ResetStats() override;
  void AddMonitor(ClientSession& client) override { monitor_ids_.push_back(client.id); }
  void RemoveMonitor(uint64_t client_id) override { std::erase(monitor_ids_, client_id); }
  void RequestShutdown() override;
  bool FreeMemoryIfNeeded(EffectSink& effects, int64_t now_ms) override;
  bool out_of_memory() const override { return out_of_memory_; }
  SnapshotRequests* snapshot_requests() override { return snapshot_requests_.get(); }
  ReplicationHooks* replication() override { return replication_.get(); }

 private:
  absl::Status ConfigureAcl();  // --requirepass, --aclfile
  // server.cc: start-up, the loop, command execution.
  absl::Status Start();
  absl::Status Listen();
  absl::StatusOr<int> ListenOn(int port, const char* port_flag);
  absl::Status SetUpSignals();
  absl::Status StartMetricsHttp();
  void Loop();
  void RecordLoopTurn(int64_t started_us);
  void OnCompletion(OpType type, uint64_t id, int res, uint32_t flags);
  void AfterDurable();
  void OnTimer();
  void SampleStats(int64_t now_ms);
  bool DrainForShutdown(int64_t* deadline_ms);
  void Execute(Conn& c, std::span<const std::string_view> argv);
  // Tags c's new replies with the last LSN assigned (reply_gate.h).
  void TagReply(Conn& c, ReplyWait wait = ReplyWait::kReplicas);
  void TagStateless(Conn& c);
  void ResumeInput(Conn& c);
  int64_t NowMs() const;
  // The monotonic clock (µs) at a loop turn's start; also reads the wall clock's offset from it.
  int64_t StartTurnClock();
  // replication_wiring.cc: the Replication's construction and its eventfd on the ring.
  absl::Status StartReplication();
  void AddReplicationConfigParams(ConfigRegistry& r);
  void ArmReplicationNotify();
  ReleaseBounds Bounds() const;  // local durability, and --min-replicas-ack's LSN

  // server_config.cc: the CONFIG rows of what the server holds, the --config file's directives.
  void AddServerConfigParams();
  void AddMemoryConfigParams(ConfigRegistry& r);
  absl::Status ApplyConfigFileSettings();

  // monitor_delivery.cc: the MONITOR line of a command to every monitoring connection.
  void FeedMonitors(const Conn& c, std::span<const std::string_view> argv);

  // pubsub_delivery.cc: messages written by Publish leave like replies; slow subscribers go.
  void ReleaseDeliveries(uint64_t publisher_id, ReplyWait wait);
  void EnforcePubSubOutputLimit(Conn& subscriber, uint64_t publisher_id, int64_t now_ms);

  // busy_script.cc: the nested, restricted poll while a script is busy, and what it deferred.
  void OnBusyCompletion(OpType type, uint64_t id, int res, uint32_t flags);
  void OnBusyRecv(Conn& c, int res);
  void AnswerWhileBusy(Conn& c, std::span<const std::string_view> argv);
  void RunDeferredCompletions();

  // connection_io.cc: accept, receive, parse, send, close.
  // Which listener an accept completion is for (its id).
  static constexpr uint64_t kPlainListener = 0;
  static constexpr uint64_t kTlsListener = 1;
  void ArmAccept(uint64_t listener);
  void ArmRecv(Conn& c);
  void ArmTimer();
  void ArmSignal();
  void OnAccept(uint64_t listener, int res, uint32_t flags);
  void OnRecv(Conn& c, int res);
  void OnSend(Conn& c, int res);
  // The part of OnSend the busy poll may run too: true when `sending` went out completely.
  bool AdvanceSend(Conn& c, int res);
  void ProcessInput(Conn& c);
  // The input at `pos` holds no complete command: sizes the buffer for a large bulk (moving the
  // unparsed bytes to the front, `pos` becomes 0) or answers a protocol error.
  void HandleUnparsed(Conn& c, size_t& pos);
  // Drops the parsed prefix [0, parsed_to) of c.in, or remembers it while a receive is in flight.
  void CompactInput(Conn& c, size_t parsed_to);
  // Connections whose pipeline ran out of its turn's share go on, one share each.
  void ServeInputBacklog();
  void ResumeFromBacklog(Conn& c);
  // CLIENT PAUSE: true (and c waits, the command left unread) if argv must wait for the end.
  bool WaitsForPause(Conn& c, std::span<const std::string_view> argv);
  void ReplyErrorAndClose(Conn& c, std::string_view message);
  void SubmitSends();
  void StartClose(Conn& c);
  void MaybeFree(uint64_t id);

  // tls_io.cc: connections of the TLS port on the same ring, through their TlsSession.
  absl::Status ListenTls();
  // A new connection of the TLS port gets its session; false: it could not (closed, logged).
  bool AttachTls(Conn& c);
  void ArmTlsRecv(Conn& c);
  // `bytes` arrived in the receive buffer: plain, they extend c.in; TLS, they are decrypted
  // into it when `decrypt` (else later, by ArmTlsRecv). False: the connection must close.
  bool TakeReceived(Conn& c, size_t bytes, bool decrypt);
  // c.sending holds the plaintext SubmitSends released: encrypts it. False: nothing to send
  // (the handshake is not done yet: it goes once it is) or the connection was closed.
  bool EncryptSending(Conn& c);
  // Sends TLS records that carry no reply (handshake, session tickets) if nothing is being
  // sent; true if a send was armed.
  bool SendTlsOutput(Conn& c);

  EngineConfig config_;
  io::FileSystem& fs_;
  std::unique_ptr<io::FileLock> lock_;
  format::DatasetId dataset_{};
  // Before state_: it outlives the keyspace that hands it values.
  state::LazyFree lazy_free_;
  state::State state_;
  std::unique_ptr<DurableLog> log_;
  std::unique_ptr<SnapshotRequests> snapshot_requests_;  // BGSAVE, SAVE, LASTSAVE

  Ring ring_;
  int listen_fd_ = -1;  // -1 with --port 0
  int tls_listen_fd_ = -1;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<TlsContext> tls_client_;  // --tls-replication yes: the replica link's
  int signal_fd_ = -1;
  ::signalfd_siginfo siginfo_{};
  bool shutting_down_ = false;
  __kernel_timespec timer_ts_{};

  ConnMap conns_;
  std::vector<uint64_t> input_backlog_;  // connection ids, in the order they ran out
  // The script being run, as the busy poll sees it, and the completions it left for the loop.
  struct BusyScript {
    uint64_t conn_id = 0;  // the connection whose command is executing
    bool is_function = false;
    bool wrote = false;
    bool kill_requested = false;
  };
  BusyScript busy_;
  struct DeferredCompletion {
    OpType type;
    uint64_t id;
    int res;
    uint32_t flags;
  };
  std::vector<DeferredCompletion> deferred_;
  int64_t pause_until_ms_ = 0;    // CLIENT PAUSE; 0 = not paused
  bool pause_all_ = false;        // ALL, else WRITE
  std::vector<uint64_t> paused_;  // connections waiting for the pause to end
  uint64_t next_conn_id_ = 1;
  ParserLimits limits_;
  ReplyGate replies_;
  BlockedClients blocked_;
  WatchedKeys watched_;
  PubSubRegistry pubsub_;
  std::vector<uint64_t> delivered_to_;  // subscribers written to by the command running now
  Monitors monitors_;                   // SLOWLOG, LATENCY
  KeyspaceEvents keyspace_events_;      // notify-keyspace-events
  std::vector<uint64_t> monitor_ids_;   // MONITOR connections, in the order they asked
  ConfigRegistry config_registry_;      // CONFIG GET/SET/REWRITE, over the members above
  UsedMemoryGauge used_memory_;         // maxmemory's measure, INFO used_memory
  Evictor evictor_;
  bool out_of_memory_ = false;  // the last FreeMemoryIfNeeded failed

  ServerCounters counters_;
  CommandStats command_stats_;  // INFO commandstats, errorstats, latencystats, keyspace hits
  InstantaneousMetrics rates_;  // INFO instantaneous_*
  uint64_t used_memory_peak_ = 0;
  int64_t last_peak_sample_ms_ = 0;
  uint64_t used_memory_startup_ = 0;  // INFO memory: before recovery
  uint64_t keys_loaded_ = 0;          // INFO persistence: by recovery
  std::string run_id_;                // INFO run_id: 40 random hex digits per process
  int64_t started_ms_ = 0;
  int64_t wall_minus_monotonic_us_ = 0;  // read at each loop turn's start (StartTurnClock)
  metrics::Registry metrics_registry_;
  EngineMetrics metrics_;
  std::unique_ptr<GroupCommit> commit_;
  std::unique_ptr<replication::Replication> replication_;
  uint64_t replication_notify_buf_ = 0;
  std::unique_ptr<metrics::MetricsHttpServer> http_;
  std::atomic<bool> ready_{false};
};

// Wall clock in ms (records carry it for restore to a point in time).
int64_t WallClockMs();

}  // namespace strongbox::engine
