// The node's replication role and its wiring into the loop: as a primary, the replica links
// (PSYNC, the pump of primary_feeds.h, acknowledgements, WAIT); as a replica, the link to its
// primary (replica_link.h) whose records it applies through ApplyOp and appends to its own log
// with the primary's LSNs, and the full resync that replaces state and files. The history
// (history.h) changes on promotion. Everything here runs on the loop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"
#include "engine/durability/durable_log.h"
#include "engine/replication/history.h"
#include "engine/replication/primary_feeds.h"
#include "engine/replication/replica_link.h"
#include "engine/replication/replication_hooks.h"
#include "engine/replication/sync_snapshot.h"
#include "engine/replication/wait_list.h"
#include "engine/server/connection.h"

namespace strongbox::engine {
class GroupCommit;
}

namespace strongbox::engine::replication {

struct ReplicationOptions {
  std::string dir;
  std::string archive_dir;
  int listening_port = 0;
  std::string announce_ip;  // --replica-announce-ip/-port: sent to the primary instead
  int announce_port = 0;
  std::string masteruser;
  std::string masterauth;
  bool replica_read_only = true;
  bool serve_stale_data = true;
  int replica_priority = 100;
  bool fsync_always = true;
  int min_replicas_ack = 0;
  int min_replicas_to_write = 0;
  int min_replicas_max_lag_s = 10;
  SSL_CTX* tls_ctx = nullptr;  // --tls-replication yes: the link's client context (not owned)
};

// What the server lends: the loop's state, log and connections, and the few actions on a
// connection that belong to it.
struct ReplicationDeps {
  io::FileSystem& fs;
  state::State& state;
  DurableLog& log;
  GroupCommit& commit;
  ConnMap& conns;
  std::function<void(Conn&)> sendable;     // bytes appended to c.out may leave (durable only)
  std::function<void(Conn&)> close;        // close a connection
  std::function<void(Conn&)> reply_ready;  // a parked client's reply is in c.out: tag, resume
  std::function<void(state::State&&)> replace_state;
  std::function<void(const std::string&)> log_line;
  std::function<void()> acked;  // an ACK arrived: replies waiting for replicas may go
  // A replicated write changed a key (db, key), a database (db, {}) or all (-1, {}): WATCHes
  // fail and clients blocked on it (XREAD BLOCK on a replica) are served, as after a command.
  std::function<void(int db, std::optional<std::string_view> key)> touched;
  // A replicated effect applied: its keyspace notifications (replicated_events.h); then, once
  // the batch's records are in the log, `records_applied` lets what they published leave.
  std::function<void(uint8_t db, std::span<const std::string_view> effect)> applied;
  std::function<void()> records_applied;
};

class Replication final : public ReplicationHooks {
 public:
  Replication(ReplicationOptions options, ReplicationDeps deps, format::DatasetId dataset);
  ~Replication() override;
  absl::Status Init();  // loads replication.id

  // The loop reads this eventfd through the ring (a completed read means: link events wait).
  int notify_fd() const { return notify_fd_; }
  void OnNotify(int64_t now_ms);
  // Every loop turn: feeds the replicas, applies what the link delivered.
  void OnLoopTurn(int64_t now_ms);
  void OnDurable(uint64_t lsn_durable, int64_t now_ms);
  void OnTimer(int64_t now_ms);
  void OnClose(uint64_t conn_id);
  // Shutdown: the link stops delivering (the log can drain) and replicas get nothing more.
  void Stop();

  std::string InfoSection(int64_t now_ms) const;
  // --min-replicas-ack: the LSN up to which replies may leave, given the local durable LSN.
  uint64_t ReleasableLsn(uint64_t lsn_durable) const;
  const std::string& history_id() const { return history_.id; }
  // CONFIG GET / REWRITE replicaof: "host port" of the primary, "" on a primary.
  std::string replicaof() const;
  // CONFIG SET replica-announce-ip/-port: used from the next link to a primary (REPLICAOF, a
  // restart), as Redis uses them from its next handshake.
  void SetAnnounce(std::string ip, int port);
  const format::DatasetId& dataset() const { return dataset_; }

  // ReplicationHooks
  std::string ReplicaOf(std::string_view host, int port) override;
  void PromoteToPrimary() override;
  bool is_replica() const override { return link_ != nullptr; }
  bool refuses_writes() const override { return is_replica() && options_.replica_read_only; }
  bool refuses_stale_reads() const override;
  bool enough_good_replicas() const override;
  void WriteRole(RespWriter& reply) override;
  void Replconf(ClientSession& client, std::span<const std::string_view> argv,
                RespWriter& reply) override;
  void Psync(ClientSession& client, std::string_view history_id, uint64_t next_lsn,
             RespWriter& reply) override;
  void Wait(ClientSession& client, int64_t numlocal, int64_t numreplicas, int64_t timeout_ms,
            RespWriter& reply) override;

 private:
  struct FullSyncPlan {
    std::string snapshot_path;  // "" = the empty state
    uint64_t lsn = 0;
    bool pending = false;  // sync_snapshot_ is still writing it
  };
  absl::StatusOr<FullSyncPlan> PlanFullSync(int64_t now_ms);
  void PollSyncSnapshot();  // hands the child's snapshot to the replicas waiting for it
  void ApplyEvents(int64_t now_ms);
  void ApplyRecords(const LinkEvent& ev, int64_t now_ms);
  void Touched(uint8_t db, std::span<const std::string_view> argv);  // deps_.touched per key
  // False while the log is busy (the install waits for it to go idle) or while the snapshotter
  // holds replace.lock (retried at the next loop turn).
  bool InstallFullSync(LinkEvent& ev, int64_t now_ms);
  void FollowHistory(const std::string& id, uint64_t lsn_last);
  void ServeWaiters(int64_t now_ms);
  void RetireLink();
  WaitOutcome Count(const Waiter& w) const;
  std::string ReplicaInfoLines(int64_t now_ms) const;

  ReplicationOptions options_;
  ReplicationDeps deps_;
  format::DatasetId dataset_;
  History history_;
  int notify_fd_ = -1;
  PrimaryFeeds feeds_;
  SyncSnapshot sync_snapshot_;
  WaitList waiters_;
  struct Announced {
    int port = 0;    // REPLCONF listening-port
    std::string ip;  // REPLCONF ip-address ("" = the connection's source address)
  };
  absl::flat_hash_map<uint64_t, Announced> announced_;  // by connection
  // Replica role.
  std::unique_ptr<ReplicaLink> link_;
  // Links replaced by REPLICAOF, asked to stop but not joined: the command answers at once, and
  // OnTimer frees each once its thread has ended.
  std::vector<std::unique_ptr<ReplicaLink>> retired_links_;
  std::string master_host_;
  int master_port_ = 0;
  std::deque<LinkEvent> backlog_;  // taken from the link, not applied yet
  int64_t link_down_since_ms_ = 0;
  std::string link_down_reason_;  // the last one logged
  // --min-replicas-ack gates only records this node assigned as primary: those it held when it
  // started or was promoted were either its primary's (durable there before it sent them) or a
  // previous run's, whose acknowledgements are gone; holding every reply behind them would wedge
  // a restarted primary whose replicas moved on, so Sentinel could never see it to demote it.
  uint64_t lsn_primary_start_ = 0;
  // INFO counters (Redis's names).
  uint64_t sync_full_ = 0;
  uint64_t sync_partial_ok_ = 0;
  uint64_t sync_partial_err_ = 0;
};

}  // namespace strongbox::engine::replication
