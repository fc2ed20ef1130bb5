// Replication: roles, PSYNC, the replica's apply path, WAIT, INFO replication and ROLE.
#include "engine/replication/replication.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/state/apply.h"
#include "common/util/check.h"
#include "engine/protocol/resp_writer.h"
#include "engine/replication/replica_install.h"
#include "engine/replication/replication_protocol.h"
#include "engine/server/group_commit.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine::replication {

namespace {

// Redis's NET_HOST_STR_LEN: an announced address (an IP or a hostname) is shorter.
constexpr size_t kMaxAnnouncedIpBytes = 256;

std::string IpOf(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

Replication::Replication(ReplicationOptions options, ReplicationDeps deps,
                         format::DatasetId dataset)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      dataset_(dataset),
      feeds_(deps_.fs, options_.dir, options_.archive_dir),
      sync_snapshot_(deps_.fs, options_.dir + "/replication-snapshots") {
  // Blocking: the ring's read of it waits (io_uring answers -EAGAIN on a non-blocking one).
  notify_fd_ = ::eventfd(0, EFD_CLOEXEC);
}

Replication::~Replication() {
  Stop();
  if (notify_fd_ >= 0) ::close(notify_fd_);
}

absl::Status Replication::Init() {
  auto history = LoadHistory(deps_.fs, options_.dir, dataset_);
  if (!history.ok()) return history.status();
  history_ = *history;
  lsn_primary_start_ = deps_.log.lsn_assigned();
  return absl::OkStatus();
}

// ---- roles ----

std::string Replication::ReplicaOf(std::string_view host, int port) {
  if (link_ != nullptr && master_host_ == host && master_port_ == port) {
    return "+OK Already connected to specified master";
  }
  RetireLink();
  backlog_.clear();
  // Replicas of this node resync with it once it follows another history.
  for (uint64_t id : feeds_.DropAll()) {
    if (auto it = deps_.conns.find(id); it != deps_.conns.end()) deps_.close(*it->second);
  }
  master_host_ = std::string(host);
  master_port_ = port;
  LinkOptions link{.host = master_host_,
                   .port = master_port_,
                   .masteruser = options_.masteruser,
                   .masterauth = options_.masterauth,
                   .listening_port = options_.announce_port != 0 ? options_.announce_port
                                                                 : options_.listening_port,
                   .announce_ip = options_.announce_ip,
                   .sync_dir = options_.dir + "/replica-sync"};
  link.tls_ctx = options_.tls_ctx;
  link_ = std::make_unique<ReplicaLink>(deps_.fs, link, history_.id, deps_.log.lsn_assigned() + 1,
                                        notify_fd_);
  link_down_since_ms_ = 0;
  link_->Start();
  deps_.log_line(absl::StrCat("replica of ", master_host_, ":", master_port_, " from LSN ",
                              deps_.log.lsn_assigned() + 1, " (history ", history_.id, ")"));
  return "";
}

void Replication::PromoteToPrimary() {
  if (link_ == nullptr) return;
  RetireLink();  // records received but not applied yet are dropped: the log is a prefix
  backlog_.clear();
  master_host_.clear();
  master_port_ = 0;
  history_ = NewTerm(history_, deps_.log.lsn_assigned());
  lsn_primary_start_ = deps_.log.lsn_assigned();
  if (auto s = SaveHistory(deps_.fs, options_.dir, history_); !s.ok()) {
    deps_.log_line("cannot save the new history: " + s.ToString());
  }
  deps_.log_line(absl::StrCat("promoted to primary at LSN ", deps_.log.lsn_assigned(),
                              ", new history ", history_.id));
}

std::string Replication::replicaof() const {
  return link_ == nullptr ? "" : absl::StrCat(master_host_, " ", master_port_);
}

void Replication::SetAnnounce(std::string ip, int port) {
  options_.announce_ip = std::move(ip);
  options_.announce_port = port;
}

// --min-replicas-ack N refuses a write as min-replicas-to-write N does: accepting it with
// fewer than N good replicas would hold its reply until some come back. A write accepted before
// its replicas went stays held until N acknowledge it: that is the promise.
bool Replication::enough_good_replicas() const {
  int needed = std::max(options_.min_replicas_to_write, options_.min_replicas_ack);
  if (needed <= 0 || link_ != nullptr) return true;
  return feeds_.CountGood(WallClockMs(), options_.min_replicas_max_lag_s) >= needed;
}

uint64_t Replication::ReleasableLsn(uint64_t lsn_durable) const {
  if (options_.min_replicas_ack <= 0 || link_ != nullptr) return lsn_durable;
  uint64_t acked = std::max(lsn_primary_start_, feeds_.AckedByAtLeast(options_.min_replicas_ack));
  return std::min(lsn_durable, acked);
}

bool Replication::refuses_stale_reads() const {
  return link_ != nullptr && !options_.serve_stale_data && !link_->link_up();
}

// ---- primary side ----

void Replication::Replconf(ClientSession& client, std::span<const std::string_view> argv,
                           RespWriter& reply) {
  std::string sub = absl::AsciiStrToLower(std::string(argv[1]));
  if (sub == "ack" || sub == "getack") {
    uint64_t lsn = 0;
    if (sub == "ack" && absl::SimpleAtoi(std::string(argv[2]), &lsn)) {
      feeds_.Ack(client.id, lsn, WallClockMs());
      ServeWaiters(WallClockMs());
      deps_.acked();
    }
    return;  // no reply, as Redis
  }
  if ((argv.size() - 1) % 2 != 0) return reply.Error("ERR syntax error");
  for (size_t i = 1; i + 1 < argv.size(); i += 2) {
    std::string opt = absl::AsciiStrToLower(std::string(argv[i]));
    if (opt == "listening-port") {
      int port = 0;
      if (!absl::SimpleAtoi(std::string(argv[i + 1]), &port)) {
        return reply.Error("ERR value is not an integer or out of range");
      }
      announced_[client.id].port = port;
    } else if (opt == "ip-address") {
      std::string_view ip = argv[i + 1];
      if (ip.size() >= kMaxAnnouncedIpBytes) {
        return reply.Error(absl::StrCat(
            "ERR REPLCONF ip-address provided by replica instance is too long: ", ip.size(),
            " bytes"));
      }
      announced_[client.id].ip = std::string(ip);
    } else if (opt != "capa" && opt != "rdb-only" && opt != "rdb-filter-only") {
      return reply.Error("ERR Unrecognized REPLCONF option: " + std::string(argv[i]));
    }
  }
  reply.SimpleString("OK");
}

// The newest snapshot whose later records this node still has, else the empty state when the
// log is whole from LSN 1, else a snapshot of the state now (written by a forked child while the
// loop goes on, sent once written and durable).
absl::StatusOr<Replication::FullSyncPlan> Replication::PlanFullSync(int64_t now_ms) {
  uint64_t durable = deps_.log.lsn_durable();
  auto listing = format::ScanDirectory(deps_.fs, options_.dir);
  if (!listing.ok()) return listing.status();
  for (auto it = listing->snapshots.rbegin(); it != listing->snapshots.rend(); ++it) {
    uint64_t lsn = it->lsn_last;
    if (lsn > durable) continue;
    if (lsn == durable ||
        SegmentCursor::Available(deps_.fs, options_.dir, options_.archive_dir, lsn + 1)) {
      return FullSyncPlan{options_.dir + "/" + it->name, lsn};
    }
  }
  if (durable == 0 || SegmentCursor::Available(deps_.fs, options_.dir, options_.archive_dir, 1)) {
    return FullSyncPlan{"", 0};
  }
  if (!sync_snapshot_.running()) {
    uint64_t lsn = deps_.log.lsn_assigned();
    if (auto s = sync_snapshot_.Start(deps_.state, dataset_, lsn, now_ms); !s.ok()) return s;
    deps_.log_line(
        absl::StrCat("no snapshot on disk covers a full resync: writing the state at LSN ", lsn,
                     " in a child process"));
  }
  return FullSyncPlan{sync_snapshot_.path(), sync_snapshot_.lsn(), true};
}

void Replication::PollSyncSnapshot() {
  if (!sync_snapshot_.running()) return;
  SyncSnapshot::Outcome outcome = sync_snapshot_.Poll();
  if (outcome == SyncSnapshot::Outcome::kRunning) return;
  bool ok = outcome == SyncSnapshot::Outcome::kWritten;
  feeds_.SnapshotWritten(sync_snapshot_.path(), ok);
  deps_.log_line(ok ? "the full resync's snapshot is written: " + sync_snapshot_.path()
                    : "the full resync's snapshot could not be written; its replicas resync");
}

void Replication::Psync(ClientSession& client, std::string_view history_id, uint64_t next_lsn,
                        RespWriter& reply) {
  if (link_ != nullptr && !link_->link_up()) {
    return reply.Error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  auto conn = deps_.conns.find(client.id);
  if (conn == deps_.conns.end()) return;
  int64_t now_ms = WallClockMs();
  uint64_t durable = deps_.log.lsn_durable();
  Announced announced = announced_.contains(client.id) ? announced_[client.id] : Announced{};
  int port = announced.port;
  std::string ip = announced.ip.empty() ? IpOf(client.address) : announced.ip;
  bool can_continue =
      CanContinue(history_, history_id, next_lsn, durable) &&
      (next_lsn == durable + 1 ||
       SegmentCursor::Available(deps_.fs, options_.dir, options_.archive_dir, next_lsn));
  if (can_continue) {
    if (auto s = feeds_.Attach(client.id, ip, port, next_lsn, "", now_ms); !s.ok()) {
      return reply.Error("ERR " + std::string(s.message()));
    }
    ++sync_partial_ok_;
    reply.SimpleString(absl::StrCat("CONTINUE ", history_.id));
    deps_.log_line(absl::StrCat("replica ", ip, ":", port, " continues from LSN ", next_lsn));
    return;
  }
  if (history_id != "?") ++sync_partial_err_;
  auto plan = PlanFullSync(now_ms);
  if (!plan.ok())
    return reply.Error("ERR cannot prepare a full resync: " + plan.status().ToString());
  auto s =
      feeds_.Attach(client.id, ip, port, plan->lsn + 1, plan->snapshot_path, now_ms, plan->pending);
  if (!s.ok()) return reply.Error("ERR cannot prepare a full resync: " + s.ToString());
  ++sync_full_;
  reply.SimpleString(absl::StrCat("FULLRESYNC ", history_.id, " ", plan->lsn));
  if (plan->snapshot_path.empty()) conn->second->out += "$0\r\n\r\n";
  deps_.log_line(absl::StrCat("replica ", ip, ":", port, " full resync from LSN ", plan->lsn,
                              plan->snapshot_path.empty() ? " (empty state)" : ""));
}

void Replication::RetireLink() {
  if (link_ == nullptr) return;
  link_->RequestStop();
  retired_links_.push_back(std::move(link_));
}

void Replication::Stop() {
  link_.reset();
  retired_links_.clear();  // joins: at shutdown a snapshot being loaded is waited for
  backlog_.clear();
  feeds_.DropAll();
}

void Replication::OnClose(uint64_t conn_id) {
  announced_.erase(conn_id);
  waiters_.Forget(conn_id);
}

// ---- replica side ----

void Replication::OnNotify(int64_t now_ms) {
  ApplyEvents(now_ms);  // the ring's read consumed the eventfd's count
}

void Replication::ApplyEvents(int64_t now_ms) {
  if (link_ == nullptr) return;
  if (backlog_.empty()) backlog_ = link_->TakeEvents();
  while (!backlog_.empty()) {
    LinkEvent& ev = backlog_.front();
    switch (ev.kind) {
      case LinkEvent::kContinue:
        FollowHistory(ev.history_id, ev.lsn);
        link_down_since_ms_ = 0;
        break;
      case LinkEvent::kFullSync:
        if (!InstallFullSync(ev, now_ms)) return;  // the log drains first
        link_down_since_ms_ = 0;
        break;
      case LinkEvent::kRecords:
        ApplyRecords(ev, now_ms);
        break;
      case LinkEvent::kDown:
        // Once per outage, and again when the reason changes (refused, then a failed TLS
        // handshake): a retry every second must not flood the log.
        if (link_down_since_ms_ == 0 || ev.bytes != link_down_reason_) {
          deps_.log_line("link to the primary is down: " + ev.bytes);
        }
        if (link_down_since_ms_ == 0) link_down_since_ms_ = now_ms;
        link_down_reason_ = std::move(ev.bytes);
        break;
    }
    backlog_.pop_front();
  }
}

void Replication::FollowHistory(const std::string& id, uint64_t lsn_last) {
  if (id == history_.id) return;
  history_ = Follow(history_, id, lsn_last);
  if (auto s = SaveHistory(deps_.fs, options_.dir, history_); !s.ok()) {
    FatalExit("cannot save replication.id: " + s.ToString());
  }
}

void Replication::ApplyRecords(const LinkEvent& ev, int64_t now_ms) {
  std::string_view bytes = ev.bytes;
  while (!bytes.empty()) {
    format::RecordView r;
    SB_CHECK(format::DecodeRecord(bytes, &r) == format::DecodeResult::kOk,
             "the link checked this record");
    absl::Status s =
        format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
          absl::Status applied = state::ApplyOp(deps_.state, db, argv);
          if (applied.ok()) {
            Touched(db, argv);
            deps_.applied(db, argv);
          }
          return applied;
        });
    if (!s.ok()) {
      // The primary's record does not apply here: the states diverged. Stop rather than serve
      // or log something that is not the primary's state; the next start resyncs.
      FatalExit(absl::StrCat("replicated record LSN ", r.lsn, " does not apply: ", s.message()));
    }
    deps_.log.AppendReplicated(bytes.substr(0, r.total_bytes), r.lsn);
    bytes.remove_prefix(r.total_bytes);
  }
  deps_.records_applied();
  deps_.commit.OnRecordAdded(now_ms);
}

void Replication::Touched(uint8_t db, std::span<const std::string_view> argv) {
  state::TouchScope scope = state::ForEachTouchedKey(
      db, argv, [this](uint8_t key_db, std::string_view key) { deps_.touched(key_db, key); });
  if (scope == state::TouchScope::kDatabase) deps_.touched(db, std::nullopt);
  if (scope == state::TouchScope::kAllDatabases) deps_.touched(-1, std::nullopt);
}

bool Replication::InstallFullSync(LinkEvent& ev, int64_t now_ms) {
  if (deps_.log.batch_in_flight() || deps_.log.pending_records() > 0) {
    deps_.commit.MaybeFlush(now_ms, true);
    return false;
  }
  format::DatasetId dataset{};
  SB_CHECK(DatasetOfHistory(ev.history_id, &dataset), "the link checked the history id");
  History history{ev.history_id, "", 0};
  ReplacedLog replaced;
  absl::Status s = ReplaceDataFiles(deps_.fs, options_.dir, options_.archive_dir, dataset,
                                    ev.snapshot_path, ev.lsn, history, now_ms, &replaced);
  if (absl::IsUnavailable(s)) return false;  // the snapshotter's short move ends: next turn
  if (!s.ok()) FatalExit("full resync: cannot replace the data files: " + s.ToString());
  deps_.log.ResetTo(ev.lsn, dataset);
  deps_.commit.Rotate(now_ms);  // opens the first segment of the new log
  deps_.replace_state(std::move(*ev.state));
  dataset_ = dataset;
  history_ = history;
  link_->ReportDurable(ev.lsn);
  deps_.log_line(absl::StrCat("full resync done at LSN ", ev.lsn,
                              replaced.dir.empty() ? "" : "; the old files are in " + replaced.dir,
                              replaced.archive_dir.empty() ? "" : " and " + replaced.archive_dir));
  return true;
}

void Replication::OnLoopTurn(int64_t now_ms) {
  PollSyncSnapshot();
  if (!backlog_.empty()) ApplyEvents(now_ms);
  feeds_.Pump(deps_.conns, deps_.log.lsn_durable(), now_ms, deps_.sendable, deps_.close);
}

void Replication::OnDurable(uint64_t lsn_durable, int64_t now_ms) {
  if (link_ != nullptr) link_->ReportDurable(lsn_durable);
  ServeWaiters(now_ms);
}

void Replication::OnTimer(int64_t now_ms) {
  std::erase_if(retired_links_, [](const auto& link) { return link->finished(); });
  if (waiters_.size() > 0) ServeWaiters(now_ms);
}

// ---- WAIT ----

WaitOutcome Replication::Count(const Waiter& w) const {
  return WaitOutcome{deps_.log.lsn_durable() >= w.lsn ? 1 : 0, feeds_.CountAcked(w.lsn)};
}

void Replication::ServeWaiters(int64_t now_ms) {
  waiters_.Serve(
      now_ms, [this](const Waiter& w) { return Count(w); },
      [this](const Waiter& w, const WaitOutcome& outcome) {
        auto it = deps_.conns.find(w.conn_id);
        if (it == deps_.conns.end()) return;
        Conn& c = *it->second;
        if (!c.blocked) return;  // answered already (CLIENT UNBLOCK)
        RespWriter reply(&c.out, c.session.protocol_version);
        if (w.numlocal < 0) {
          reply.Integer(outcome.replicas);
        } else {
          reply.ArrayHeader(2);
          reply.Integer(outcome.local);
          reply.Integer(outcome.replicas);
        }
        c.blocked = false;
        deps_.reply_ready(c);
      });
}

void Replication::Wait(ClientSession& client, int64_t numlocal, int64_t numreplicas,
                       int64_t timeout_ms, RespWriter& reply) {
  if (link_ != nullptr) {
    return reply.Error(numlocal < 0
                           ? "ERR WAIT cannot be used with replica instances. Please also note "
                             "that since Redis 4.0 if a replica is configured to be writable "
                             "(which is not the default) writes to replicas are just local and "
                             "are not propagated."
                           : "ERR WAITAOF cannot be used with replica instances. Please also "
                             "note that writes to replicas are just local and are not "
                             "propagated.");
  }
  int64_t now_ms = WallClockMs();
  // A timeout too far away to add is no timeout.
  bool bounded = timeout_ms > 0 && timeout_ms < std::numeric_limits<int64_t>::max() - now_ms;
  Waiter w{client.id, numlocal, numreplicas, client.last_write_lsn,
           bounded ? now_ms + timeout_ms : 0};
  WaitOutcome outcome = Count(w);
  // Inside MULTI (and with nothing to wait for) the answer is the count now, as Redis.
  if (WaitList::Satisfied(w, outcome) || client.in_exec) {
    if (numlocal < 0) return reply.Integer(outcome.replicas);
    reply.ArrayHeader(2);
    reply.Integer(outcome.local);
    return reply.Integer(outcome.replicas);
  }
  auto it = deps_.conns.find(client.id);
  if (it == deps_.conns.end()) return;
  it->second->blocked = true;
  waiters_.Park(w);
}

// ---- ROLE, INFO ----

void Replication::WriteRole(RespWriter& reply) {
  if (link_ != nullptr) {
    reply.ArrayHeader(5);
    reply.Bulk("slave");
    reply.Bulk(master_host_);
    reply.Integer(master_port_);
    reply.Bulk(link_->sync_in_progress() ? "sync" : link_->link_up() ? "connected" : "connect");
    reply.Integer(link_->link_up() ? static_cast<int64_t>(deps_.log.lsn_assigned()) : -1);
    return;
  }
  auto peers = feeds_.Peers(WallClockMs());
  reply.ArrayHeader(3);
  reply.Bulk("master");
  reply.Integer(static_cast<int64_t>(deps_.log.lsn_durable()));
  reply.ArrayHeader(static_cast<int64_t>(peers.size()));
  for (const PeerInfo& p : peers) {
    reply.ArrayHeader(3);
    reply.Bulk(p.ip);
    reply.Bulk(absl::StrCat(p.port));
    reply.Bulk(absl::StrCat(p.ack_lsn));
  }
}

std::string Replication::ReplicaInfoLines(int64_t now_ms) const {
  bool up = link_->link_up();
  int64_t io_s = std::max<int64_t>(0, (now_ms - link_->last_io_ms()) / 1000);
  std::string out =
      absl::StrCat("role:slave\r\nmaster_host:", master_host_, "\r\nmaster_port:", master_port_,
                   "\r\nmaster_link_status:", up ? "up" : "down",
                   "\r\nmaster_last_io_seconds_ago:", up ? io_s : -1,
                   "\r\nmaster_sync_in_progress:", link_->sync_in_progress() ? 1 : 0,
                   "\r\nslave_read_repl_offset:", deps_.log.lsn_assigned(),
                   "\r\nslave_repl_offset:", deps_.log.lsn_assigned());
  if (!up) {
    int64_t since = link_down_since_ms_ == 0 ? 0 : (now_ms - link_down_since_ms_) / 1000;
    absl::StrAppend(&out, "\r\nmaster_link_down_since_seconds:", since);
  }
  absl::StrAppend(&out, "\r\nslave_priority:", options_.replica_priority,
                  "\r\nslave_read_only:", options_.replica_read_only ? 1 : 0,
                  "\r\nreplica_announced:1\r\n");
  return out;
}

std::string Replication::InfoSection(int64_t now_ms) const {
  std::string out = "# Replication\r\n";
  auto peers = feeds_.Peers(now_ms);
  out += link_ != nullptr ? ReplicaInfoLines(now_ms) : "role:master\r\n";
  absl::StrAppend(&out, "connected_slaves:", peers.size(), "\r\n");
  for (size_t i = 0; i < peers.size(); ++i) {
    const PeerInfo& p = peers[i];
    absl::StrAppend(&out, "slave", i, ":ip=", p.ip, ",port=", p.port,
                    ",state=", p.online ? "online" : "send_bulk", ",offset=", p.ack_lsn,
                    ",lag=", p.lag_s, "\r\n");
  }
  bool has_previous = !history_.previous_id.empty();
  absl::StrAppend(
      &out, "master_failover_state:no-failover\r\nmaster_replid:", history_.id,
      "\r\nmaster_replid2:",
      has_previous ? history_.previous_id : std::string(kHistoryIdChars, '0'),
      "\r\nmaster_repl_offset:", deps_.log.lsn_durable(), "\r\nsecond_repl_offset:",
      has_previous ? static_cast<int64_t>(history_.previous_lsn_last + 1) : -1,
      "\r\nrepl_backlog_active:1\r\nrepl_backlog_size:0\r\nrepl_backlog_first_byte_offset:1",
      "\r\nrepl_backlog_histlen:", deps_.log.lsn_durable(), "\r\nsync_full:", sync_full_,
      "\r\nsync_partial_ok:", sync_partial_ok_, "\r\nsync_partial_err:", sync_partial_err_);
  if (link_ != nullptr) {
    absl::StrAppend(&out, "\r\nreplica_full_syncs:", link_->full_syncs(),
                    "\r\nreplica_partial_syncs:", link_->partial_syncs());
  }
  out += "\r\n";
  return out;
}

}  // namespace strongbox::engine::replication
