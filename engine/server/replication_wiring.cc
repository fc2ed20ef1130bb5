// The server's side of replication (engine/replication/): what it lends the Replication, the
// replication eventfd on the ring, and --replicaof at start.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/replication/replicated_events.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {

absl::Status Server::StartReplication() {
  const ReplicationConfig& rc = config_.replication;
  if (config_.tls.replication == "yes") {
    auto context = TlsContext::CreateClient(config_.tls);
    if (!context.ok()) return context.status();
    tls_client_ = std::move(*context);
  }
  replication::ReplicationOptions options{
      .dir = config_.dir,
      .archive_dir = rc.archive_dir.empty() ? config_.dir + "/archived" : rc.archive_dir,
      // What the primary lists for Sentinel: the TLS port when the replica speaks TLS (Redis).
      .listening_port = tls_client_ && config_.tls.enabled() ? config_.tls.port : config_.port,
      .announce_ip = rc.announce_ip,
      .announce_port = rc.announce_port,
      .masteruser = rc.masteruser,
      .masterauth = rc.masterauth,
      .replica_read_only = rc.replica_read_only,
      .serve_stale_data = rc.replica_serve_stale_data,
      .replica_priority = rc.replica_priority,
      .fsync_always = config_.fsync_mode == FsyncMode::kAlways,
      .min_replicas_ack = rc.min_replicas_ack,
      .min_replicas_to_write = rc.min_replicas_to_write,
      .min_replicas_max_lag_s = rc.min_replicas_max_lag_s,
      .tls_ctx = tls_client_ ? tls_client_->ctx() : nullptr};
  if (!rc.replica_read_only) {
    // A local write would take an LSN the primary's next record needs.
    return absl::InvalidArgumentError(
        "invalid --replica-read-only: a replica's log holds its primary's records only; writable "
        "replicas are not supported");
  }
  if (rc.min_replicas_ack > 0 && config_.fsync_mode != FsyncMode::kAlways) {
    return absl::InvalidArgumentError(
        "invalid --min-replicas-ack: replies wait for replicas only with --fsync always");
  }
  replication::ReplicationDeps deps{
      .fs = fs_,
      .state = state_,
      .log = *log_,
      .commit = *commit_,
      .conns = conns_,
      .sendable = [this](Conn& c) { TagStateless(c); },
      .close =
          [this](Conn& c) {
            StartClose(c);
            MaybeFree(c.id);
          },
      // Only WAIT / WAITAOF park here: their count reveals no data a record wrote, so their
      // reply never waits for the acknowledgements it reports on (kNoReplicaAck).
      .reply_ready =
          [this](Conn& c) {
            TagReply(c, ReplyWait::kLocalDurability);
            ResumeFromBacklog(c);
          },
      .replace_state =
          [this](state::State&& fresh) {
            state_ = std::move(fresh);
            state_.set_disposer(&lazy_free_);
            TouchAll(-1);
            replies_.Rebase(log_->lsn_durable());  // the log restarted at the primary's LSN
            replies_.Release(Bounds());
          },
      .log_line = [](const std::string& line) { LogLine(line); },
      .acked = [this] { replies_.Release(Bounds()); },
      .touched =
          [this](int db, std::optional<std::string_view> key) {
            if (key) return TouchKey(static_cast<uint8_t>(db), *key);
            TouchAll(db);
          },
      .applied =
          [this](uint8_t db, std::span<const std::string_view> effect) {
            NotifyReplicatedEffect(*this, state_, db, effect);
          },
      // Tagged after the records they come from, like any delivery of a write.
      .records_applied = [this] { ReleaseDeliveries(0, ReplyWait::kReplicas); }};
  replication_ = std::make_unique<replication::Replication>(options, std::move(deps), dataset_);
  if (auto s = replication_->Init(); !s.ok()) return s;
  if (rc.replicaof.empty()) return absl::OkStatus();
  int port = 0;
  if (rc.replicaof.size() != 2 || !absl::SimpleAtoi(rc.replicaof[1], &port) || port <= 0 ||
      port > 65535) {
    return absl::InvalidArgumentError("invalid --replicaof: give the primary's host and port");
  }
  std::string answer = replication_->ReplicaOf(rc.replicaof[0], port);
  return answer.empty() ? absl::OkStatus() : absl::InvalidArgumentError(answer);
}

// CONFIG rows of the replication role. replicaof: immutable for CONFIG SET (REPLICAOF changes
// it), and CONFIG REWRITE writes "replicaof <host> <port>" or removes it on a primary, so a node
// Sentinel reconfigured keeps its role across a restart (the file's directive is --replicaof).
void Server::AddReplicationConfigParams(ConfigRegistry& r) {
  ConfigParam replicaof;
  replicaof.name = "replicaof";
  replicaof.aliases = {"slaveof"};
  replicaof.type = ConfigType::kSpecial;
  replicaof.get = [this] { return replication_ ? replication_->replicaof() : std::string(); };
  replicaof.omit_when_empty = true;
  r.Add(std::move(replicaof));
  // What this node, as a replica, asks its primary to show as its address (from the next link).
  ReplicationConfig& rc = config_.replication;
  auto announce = [this, &rc] {
    if (replication_) replication_->SetAnnounce(rc.announce_ip, rc.announce_port);
    return std::string();
  };
  ConfigParam ip;
  ip.name = "replica-announce-ip";
  ip.aliases = {"slave-announce-ip"};
  ip.get = [&rc] { return rc.announce_ip; };
  ip.set = [&rc, announce](std::string_view v) {
    rc.announce_ip = std::string(v);
    return announce();
  };
  r.Add(std::move(ip));
  ConfigParam port;
  port.name = "replica-announce-port";
  port.aliases = {"slave-announce-port"};
  port.type = ConfigType::kInt;
  port.min = 0;
  port.max = 65535;
  port.default_value = "0";
  port.get = [&rc] { return absl::StrCat(rc.announce_port); };
  port.set = [&rc, announce](std::string_view v) {
    rc.announce_port = std::stoi(std::string(v));
    return announce();
  };
  r.Add(std::move(port));
}

// The second gate: with --min-replicas-ack, replies wait for the replicas' durability too.
ReleaseBounds Server::Bounds() const {
  uint64_t durable = log_->lsn_durable();
  return {durable, replication_ ? replication_->ReleasableLsn(durable) : durable};
}

void Server::ArmReplicationNotify() {
  io_uring_sqe* sqe = ring_.Sqe(OpType::kReplication, 0);
  io_uring_prep_read(sqe, replication_->notify_fd(), &replication_notify_buf_,
                     sizeof(replication_notify_buf_), 0);
}

}  // namespace strongbox::engine
