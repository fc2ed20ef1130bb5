// The engine process: one io_uring loop for accept/recv/send, log write + fdatasync, timers
// and signals. Commands execute at once; their replies are held until the records they
// depend on are durable (--fsync always).
#pragma once

#include <liburing.h>
#include <sys/signalfd.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/metrics/http_server.h"
#include "common/metrics/registry.h"
#include "common/state/state.h"
#include "engine/commands/command.h"
#include "engine/durability/durable_log.h"
#include "engine/protocol/resp_parser.h"
#include "engine/server/config.h"

namespace strongbox::engine {

class Server final : public ServerHooks {
 public:
  Server(EngineConfig config, io::FileSystem& fs);
  ~Server() override;
  // Locks, recovers, serves until SIGTERM/SIGINT; returns the process exit code.
  int Run();

  // ServerHooks
  std::string InfoSection(std::string_view section) override;
  bool read_only() const override { return !log_ || !log_->has_segment(); }
  std::string read_only_reason() const override;
  bool CheckPassword(std::string_view password) const override;
  bool password_required() const override { return !config_.requirepass.empty(); }
  size_t connected_clients() const override { return conns_.size(); }
  bool ConfigGet(std::string_view name, std::string* value) const override;
  std::string ClientList() const override;
  void RequestShutdown() override { shutting_down_ = true; }
  void TouchKey(uint8_t db, std::string_view key) override;
  void TouchAll(int db) override;
  void Watch(ClientSession& client, uint8_t db, std::string_view key) override;
  void UnwatchAll(ClientSession& client) override;

 private:
  struct Conn;
  enum OpType : uint8_t { kAccept = 1, kRecv, kSend, kLogWrite, kLogSync, kTimer, kSignal };

  absl::Status Start();
  absl::Status Listen();
  void Loop();
  io_uring_sqe* Sqe();
  void ArmAccept();
  void ArmRecv(Conn& c);
  void ArmTimer();
  void ArmSignal();
  void OnAccept(int res, uint32_t flags);
  void OnRecv(Conn& c, int res);
  void OnSend(Conn& c, int res);
  void OnLogWrite(int res, uint64_t expected_bytes);
  void OnLogSync(int res);
  void OnTimer();
  void Rotate(int64_t now_ms);
  void ProcessInput(Conn& c);
  void Execute(Conn& c, std::span<const std::string_view> argv);
  void Hold(Conn& c, uint64_t lsn_tag);
  // Marks the replies written so far as releasable once everything assigned is durable.
  void TagReply(Conn& c);
  // TagReply, then queue the connection for sending (outside ProcessInput).
  void MarkReplied(Conn& c);
  // Blocking commands: park, wake on a write to a watched key, time out.
  void Park(Conn& c, std::span<const std::string_view> argv);
  void Unpark(Conn& c);
  void ServeReadyKeys();
  void ExpireBlocked(int64_t now_ms);
  void ResumeInput(Conn& c);
  void ReleaseDurable();
  void FlushIfDue(bool force);
  void SubmitSends();
  void StartClose(Conn& c);
  void MaybeFree(uint64_t id);
  void ActiveExpire();
  void TryLeaveReadOnly();
  [[noreturn]] void Fatal(const std::string& message);
  void Log(const std::string& message);
  int64_t NowMs() const;
  void UpdateGauges();

  EngineConfig config_;
  io::FileSystem& fs_;
  int lock_fd_ = -1;
  format::DatasetId dataset_{};
  state::State state_;
  std::unique_ptr<DurableLog> log_;
  std::string read_only_reason_;
  int64_t readonly_next_try_ms_ = 0;

  io_uring ring_{};
  bool ring_ready_ = false;
  int listen_fd_ = -1;
  int signal_fd_ = -1;
  ::signalfd_siginfo* siginfo_ = nullptr;
  bool accepting_ = false;
  bool shutting_down_ = false;
  __kernel_timespec timer_ts_{};

  absl::flat_hash_map<uint64_t, std::unique_ptr<Conn>> conns_;
  uint64_t next_conn_id_ = 1;
  std::vector<uint64_t> send_queue_;  // conns with replies to send
  std::vector<uint64_t> held_conns_;  // conns with replies waiting for durability
  absl::flat_hash_map<std::string, std::vector<uint64_t>> watchers_;
  absl::flat_hash_map<std::string, std::vector<uint64_t>> blocked_keys_;  // "db:key" -> conns
  std::vector<std::string> ready_keys_;
  size_t blocked_clients_ = 0;
  ParserLimits limits_;

  std::chrono::steady_clock::time_point batch_started_;
  int64_t last_flush_ms_ = 0;
  uint64_t fsyncs_ = 0;
  double fsync_seconds_total_ = 0;
  uint64_t commands_processed_ = 0;
  uint64_t connections_received_ = 0;
  uint64_t rejected_connections_ = 0;
  uint64_t expired_keys_ = 0;
  int64_t started_ms_ = 0;

  metrics::Registry metrics_;
  std::unique_ptr<metrics::MetricsHttpServer> http_;
  std::atomic<bool> ready_{false};
  struct Metrics {
    metrics::Gauge* lsn_assigned;
    metrics::Gauge* lsn_durable;
    metrics::Gauge* lsn_sealed;
    metrics::Gauge* read_only;
    metrics::Gauge* clients;
    metrics::Gauge* held_replies;
    metrics::Counter* log_bytes;
    metrics::Counter* log_records;
    metrics::Counter* segments_sealed;
    metrics::Counter* commands;
    metrics::Counter* expired;
    metrics::Histogram* fsync_seconds;
    metrics::Histogram* batch_records;
    metrics::Histogram* rotation_seconds;
  } m_{};
  uint64_t reported_bytes_ = 0, reported_records_ = 0, reported_sealed_ = 0;
};

// Wall clock in ms (records carry it for restore to a point in time).
int64_t WallClockMs();

}  // namespace strongbox::engine
