// Wiring: start-up (lock, recovery, ring, listener, signals, metrics), the loop that routes
// completions, and command execution with its reply tagging.
#include "engine/server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/format/dataset_id.h"
#include "common/util/check.h"
#include "engine/acl/acl_file.h"
#include "engine/commands/client_filter.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/dispatcher.h"
#include "engine/durability/recovery.h"
#include "engine/server/expiry_cycle.h"
#include "engine/server/info_sections.h"
#include "engine/server/introspection.h"
#include "engine/server/log_effect_sink.h"
#include "engine/server/log_line.h"

namespace strongbox::engine {

int64_t WallClockMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

namespace {

constexpr unsigned kRingEntries = 4096;
constexpr int64_t kShutdownDrainMs = 5000;
constexpr size_t kRehashBucketsPerTick = 1000;

}  // namespace

Server::Server(EngineConfig config, io::FileSystem& fs)
    : config_(std::move(config)),
      fs_(fs),
      replies_(config_.fsync_mode, conns_),
      blocked_(conns_),
      metrics_(metrics_registry_, fs_, config_.dir) {
  limits_.bulk_bytes_max = config_.bulk_bytes_max;
  AddServerConfigParams();
}

Server::~Server() {
  if (http_) http_->Stop();
  for (auto& [id, c] : conns_) ::close(c->fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (tls_listen_fd_ >= 0) ::close(tls_listen_fd_);
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

// --aclfile's users replace the defaults (a missing file is created by ACL SAVE); then
// --requirepass, when given, is the default user's one password.
absl::Status Server::ConfigureAcl() {
  if (!config_.aclfile.empty()) {
    acl::Acl().set_aclfile(config_.aclfile);
    absl::Status loaded = acl::LoadAclFile(io::DefaultFileSystem(), acl::Acl());
    if (!loaded.ok() && !absl::IsNotFound(loaded)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --aclfile: ", std::string(loaded.message())));
    }
  }
  acl::Acl().SetDefaultPassword(config_.requirepass);
  return absl::OkStatus();
}

int64_t Server::NowMs() const { return WallClockMs(); }

absl::Status Server::Start() {
  if (auto s = ApplyConfigFileSettings(); !s.ok()) return s;
  if (auto s = ConfigureAcl(); !s.ok()) return s;
  if (auto s = fs_.CreateDir(config_.dir); !s.ok()) return s;
  std::string lock_path = config_.dir + "/engine.lock";
  auto lock = fs_.LockExclusive(lock_path);
  if (absl::IsFailedPrecondition(lock.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("another strongbox-engine already uses ", config_.dir, " (", lock_path,
                     " is locked); stop it first or give a different --dir"));
  }
  if (!lock.ok()) return lock.status();
  lock_ = std::move(*lock);
  auto id = format::LoadOrCreateDatasetId(fs_, config_.dir);
  if (!id.ok()) return id.status();
  dataset_ = *id;
  started_ms_ = NowMs();
  run_id_ = RandomRunId();
  used_memory_startup_ = UsedMemoryBytes();
  // Keys replayed at recovery count as accessed at start-up (Redis stamps loaded keys too).
  state::GlobalAccessClock().lru_clock_s = state::LruClockOf(started_ms_);
  state::GlobalAccessClock().lfu = IsLfu(config_.memory.policy);
  auto recovered =
      Recover(fs_, config_.dir, dataset_, &state_, started_ms_, LogLine, config_.load_threads);
  if (!recovered.ok()) return recovered.status();
  // After recovery, which replaces the State: replay frees inline.
  state_.set_disposer(&lazy_free_);
  keys_loaded_ = state_.TotalKeys();
  LogLine(absl::StrCat("recovered LSN ", recovered->lsn_last, " (snapshot LSN ",
                       recovered->lsn_snapshot, ", ", recovered->records_replayed,
                       " records replayed from ", recovered->segments_replayed, " segments, ",
                       state_.TotalKeys(), " keys)"));
  DurableLogOptions options{config_.dir, config_.segment_bytes, config_.rotate_interval_s * 1000,
                            config_.readonly_retry_ms, /*prepare_in_background=*/true};
  options.drop_prepared_page_cache = config_.log_io_mode == LogIo::kDirect;
  options.max_batches_in_flight =
      config_.log_io_mode == LogIo::kDirect ? 1 : config_.log_batches_in_flight;
  log_ = std::make_unique<DurableLog>(fs_, options, dataset_, recovered->lsn_last);
  if (auto s = log_->Rotate(NowMs()); !s.ok()) return s;  // opens the first segment
  snapshot_requests_ = std::make_unique<SnapshotRequests>(fs_, config_.dir, *log_,
                                                          config_.save_timeout_ms, started_ms_);
  snapshot_requests_->Start(recovered->lsn_last, NowMs());
  if (!log_->accepting_writes())
    LogLine("read-only until space is back: " + log_->read_only_reason());
  if (auto s = ring_.Init(kRingEntries); !s.ok()) return s;
  commit_ = std::make_unique<GroupCommit>(config_, *log_, ring_, metrics_);
  if (auto s = StartReplication(); !s.ok()) return s;
  if (auto s = Listen(); !s.ok()) return s;
  if (auto s = SetUpSignals(); !s.ok()) return s;
  return StartMetricsHttp();
}

absl::Status Server::Listen() {
  if (config_.port != 0) {
    auto fd = ListenOn(config_.port, "--port");
    if (!fd.ok()) return fd.status();
    listen_fd_ = *fd;
  }
  return ListenTls();
}

absl::StatusOr<int> Server::ListenOn(int port, const char* port_flag) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return io::ErrnoStatus(errno, "socket", "");
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  absl::Status failed;
  if (::inet_pton(AF_INET, config_.bind.c_str(), &addr.sin_addr) != 1) {
    failed = absl::InvalidArgumentError("invalid --bind: give an IPv4 address like 127.0.0.1");
  } else if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    failed =
        absl::UnavailableError(absl::StrCat("cannot listen on ", config_.bind, ":", port, ": ",
                                            strerror(errno), " (choose another ", port_flag, "?)"));
  } else if (::listen(fd, 1024) != 0) {
    failed = io::ErrnoStatus(errno, "listen", "");
  }
  if (failed.ok()) return fd;
  ::close(fd);
  return failed;
}

absl::Status Server::SetUpSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = signalfd(-1, &mask, SFD_CLOEXEC);
  if (signal_fd_ < 0) return io::ErrnoStatus(errno, "signalfd", "");
  ::signal(SIGPIPE, SIG_IGN);
  return absl::OkStatus();
}

absl::Status Server::StartMetricsHttp() {
  if (config_.metrics_port <= 0) return absl::OkStatus();
  metrics::MetricsHttpServer::Probes probes{.healthy = [](std::string*) { return true; },
                                            .ready =
                                                [this](std::string* why) {
                                                  if (ready_.load()) return true;
                                                  *why = "starting";
                                                  return false;
                                                }};
  http_ = std::make_unique<metrics::MetricsHttpServer>(metrics_registry_, probes);
  return http_->Start(config_.bind, config_.metrics_port);
}

int Server::Run() {
  if (auto s = Start(); !s.ok()) {
    LogLine("cannot start: " + s.ToString());
    return 1;
  }
  if (listen_fd_ >= 0) ArmAccept(kPlainListener);
  if (tls_listen_fd_ >= 0) ArmAccept(kTlsListener);
  ArmTimer();
  ArmSignal();
  ArmReplicationNotify();
  ready_ = true;
  std::string where = config_.port != 0 ? absl::StrCat(config_.bind, ":", config_.port)
                                        : absl::StrCat(config_.bind, " (no plain port)");
  if (config_.tls.enabled()) absl::StrAppend(&where, ", TLS port ", config_.tls.port);
  LogLine(absl::StrCat("ready on ", where, " (fsync ", config_.fsync, ", dir ", config_.dir, ")"));
  Loop();
  LogLine("stopped cleanly");
  return 0;
}

void Server::Loop() {
  int64_t shutdown_deadline_ms = 0;
  for (;;) {
    // A turn starts at its first completion: the time blocked waiting for one is idle, not work.
    int64_t turn_started_us = 0;
    ring_.WaitAndDrain(input_backlog_.empty() && deferred_.empty(),
                       [this, &turn_started_us](OpType type, uint64_t id, int res, uint32_t flags) {
                         if (turn_started_us == 0) turn_started_us = StartTurnClock();
                         OnCompletion(type, id, res, flags);
                       });
    if (turn_started_us == 0 && !input_backlog_.empty()) turn_started_us = StartTurnClock();
    RunDeferredCompletions();
    ServeInputBacklog();
    blocked_.ServeReady([this](Conn& c, std::span<const std::string_view> argv) {
      c.session.serving_blocked = true;
      Execute(c, argv);  // parks it again if the key was emptied meanwhile
      c.session.serving_blocked = false;
      if (!c.blocked) ResumeInput(c);
    });
    replication_->OnLoopTurn(NowMs());
    commit_->MaybeFlush(NowMs(), false);
    SubmitSends();
    counters_.slowlog_entries = monitors_.slowlog.entries_added();
    metrics_.Update(*log_, counters_, conns_.size(), replies_.held_connections());
    if (turn_started_us != 0) RecordLoopTurn(turn_started_us);
    if (shutting_down_ && DrainForShutdown(&shutdown_deadline_ms)) return;
  }
}

void Server::RecordLoopTurn(int64_t started_us) {
  int64_t turn_us = MonotonicUs() - started_us;
  metrics_.loop_turn_seconds().Observe(static_cast<double>(turn_us) / 1e6);
  monitors_.latency.MaybeAdd("loop-turn", turn_us / 1000, NowMs() / 1000);
}

void Server::OnCompletion(OpType type, uint64_t id, int res, uint32_t flags) {
  switch (type) {
    case OpType::kAccept:
      return OnAccept(id, res, flags);
    case OpType::kRecv:
    case OpType::kSend: {
      auto it = conns_.find(id);
      SB_CHECK(it != conns_.end(), "completion for an unknown connection");
      type == OpType::kRecv ? OnRecv(*it->second, res) : OnSend(*it->second, res);
      return MaybeFree(id);
    }
    case OpType::kLogWrite:
      commit_->OnWriteDone(res, id);
      // Its bytes are in the file: the next batch may go while this one syncs.
      if (config_.fsync_mode == FsyncMode::kAlways) commit_->MaybeFlush(NowMs(), true);
      return;
    case OpType::kLogWriteDsync:
      commit_->OnWriteDone(res, id);
      [[fallthrough]];  // a complete RWF_DSYNC write is durable: as a successful fdatasync
    case OpType::kLogSync:
      commit_->OnSyncDone(type == OpType::kLogWriteDsync ? 0 : res, id);
      monitors_.latency.MaybeAdd("fsync", static_cast<int64_t>(commit_->last_fsync_seconds() * 1e3),
                                 NowMs() / 1000);
      return AfterDurable();
    case OpType::kTimer:
      return OnTimer();
    case OpType::kReplication:
      ArmReplicationNotify();
      return replication_->OnNotify(NowMs());
    case OpType::kSignal:
      if (res > 0) {
        LogLine(absl::StrCat("signal ", siginfo_.ssi_signo, ": shutting down"));
        shutting_down_ = true;
      }
      return;
  }
}

void Server::AfterDurable() {
  replies_.Release(Bounds());
  replication_->OnDurable(log_->lsn_durable(), NowMs());
  commit_->Rotate(NowMs());
  if (config_.fsync_mode == FsyncMode::kAlways) commit_->MaybeFlush(NowMs(), true);
}

void Server::OnTimer() {
  ArmTimer();
  int64_t now = NowMs();
  // By time, the read-only retry, and sealing what a snapshot request must cover.
  commit_->Rotate(now, snapshot_requests_->rotate_through() > log_->lsn_sealed());
  if (snapshot_requests_->Tick(now)) blocked_.OnKeyTouched(0, SnapshotRequests::kSaveWaitKey);
  // Resizes of the key tables move forward with traffic; this finishes them when it is idle,
  // a bounded number of buckets per tick (no stop-the-world rehash).
  for (int db = 0; db < state::kDatabaseCount; ++db)
    state_.db(db).RehashStep(kRehashBucketsPerTick);
  replication_->OnTimer(now);
  // A replica's keys expire by the primary's DELs, never by its own (they would be records).
  if (!shutting_down_ && log_->accepting_writes() && !replication_->is_replica()) {
    counters_.expired_keys += RunExpiryCycle(state_, *log_, *this, now);
    ReleaseDeliveries(0, ReplyWait::kReplicas);  // "expired" notifications
  }
  if (pause_until_ms_ != 0 && pause_until_ms_ <= now) UnpauseClients();
  SampleStats(now);
  blocked_.ExpireDue(now, [this](Conn& c) {
    RespWriter(&c.out, c.session.protocol_version).NullArray();
    TagReply(c);
    ResumeInput(c);
  });
  commit_->MaybeFlush(now, false);
}

void Server::RequestShutdown() {
  LogLine("SHUTDOWN asked by a client: shutting down");
  shutting_down_ = true;
}

// Graceful shutdown: stop input, drain the log and the replies, seal, return true to exit.
bool Server::DrainForShutdown(int64_t* deadline_ms) {
  if (*deadline_ms == 0) {
    *deadline_ms = NowMs() + kShutdownDrainMs;
    replication_->Stop();
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    if (tls_listen_fd_ >= 0) ::shutdown(tls_listen_fd_, SHUT_RDWR);
    for (auto& [cid, c] : conns_) ::shutdown(c->fd, SHUT_RD);
  }
  commit_->MaybeFlush(NowMs(), true);
  bool log_idle = !log_->batch_in_flight() && log_->pending_records() == 0;
  bool sends_done = true;
  for (auto& [cid, c] : conns_) {
    if (c->send_armed || c->out_sendable > 0) sends_done = false;
  }
  if (!(log_idle && sends_done) && NowMs() <= *deadline_ms) return false;
  if (!log_idle) FatalExit("shutdown: the log did not drain in time");
  if (auto s = log_->SealActive(NowMs()); !s.ok()) FatalExit("seal at shutdown: " + s.ToString());
  return true;
}

int64_t Server::StartTurnClock() {
  int64_t mono_us = MonotonicUs();
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  wall_minus_monotonic_us_ =
      static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000 - mono_us;
  return mono_us;
}

void Server::Execute(Conn& c, std::span<const std::string_view> argv) {
  ++counters_.commands_processed;
  // One clock read per command: the wall time follows from the monotonic one and the offset
  // read once per loop turn (a clock step shows from the next turn on).
  int64_t started_us = MonotonicUs();
  int64_t now_ms =
      wall_minus_monotonic_us_ != 0 ? (started_us + wall_minus_monotonic_us_) / 1000 : NowMs();
  state::GlobalAccessClock().lru_clock_s = state::LruClockOf(now_ms);  // accesses stamp this
  RespWriter writer(&c.out, c.session.protocol_version);
  writer.set_error_observer(&command_stats_);
  LogEffectSink sink(*log_);
  log_->BeginRecord(now_ms);  // all effects of one command (one EXEC) make one record
  CommandContext ctx{argv, c.session, state_, writer, sink, *this, now_ms, started_us};
  busy_.conn_id = c.id;
  size_t reply_start = c.out.size();
  bool skip_reply = std::exchange(c.session.reply_skip_next, false);
  Dispatch(ctx);
  if (!monitor_ids_.empty()) FeedMonitors(c, argv);  // after: SELECT shows its new db, as Redis
  // CLIENT REPLY OFF|SKIP: the command ran; its reply is dropped.
  if (skip_reply || c.session.reply_off) c.out.resize(reply_start);
  c.session.last_command_ms = now_ms;
  if (uint64_t lsn = log_->EndRecord(); lsn != 0) c.session.last_write_lsn = lsn;
  if (c.session.block.active) blocked_.Park(c, argv);
  // A reply that reveals no state waits for nothing but the replies before it; one that
  // reveals no data a record wrote (kNoReplicaAck) not for the replicas' acknowledgements.
  ReplyWait wait =
      c.session.reply_no_replica_ack ? ReplyWait::kLocalDurability : ReplyWait::kReplicas;
  c.session.reply_stateless ? TagStateless(c) : TagReply(c, wait);
  ReleaseDeliveries(c.id, wait);
  commit_->OnRecordAdded(now_ms);
}

bool Server::FreeMemoryIfNeeded(EffectSink& effects, int64_t now_ms) {
  const MemoryLimits& limits = config_.memory;
  // An eviction is a write to the log: none while the volume is full, none on a replica (its
  // log holds the primary's records only).
  if (read_only() || replication_->is_replica()) {
    out_of_memory_ =
        limits.maxmemory_bytes != 0 && used_memory_.Read(MonotonicUs()) > limits.maxmemory_bytes;
    return !out_of_memory_;
  }
  out_of_memory_ = !evictor_.FreeMemoryIfNeeded(state_, effects, *this, limits, used_memory_,
                                                now_ms, MonotonicUs());
  counters_.evicted_keys = evictor_.evicted_keys();
  return !out_of_memory_;
}

void Server::TagReply(Conn& c, ReplyWait wait) {
  replies_.Tag(c, log_->lsn_assigned(), Bounds(), wait);
}

// Depends on what is already durable only: waits for nothing but the replies before it.
void Server::TagStateless(Conn& c) {
  replies_.Tag(c, log_->lsn_durable(), Bounds(), ReplyWait::kLocalDurability);
}

void Server::ResumeInput(Conn& c) {
  if (c.closing) return;
  ProcessInput(c);
  ArmRecv(c);
}

void Server::TouchKey(uint8_t db, std::string_view key) {
  blocked_.OnKeyTouched(db, key);
  watched_.Touch(db, key);
}

std::string Server::read_only_reason() const {
  auto space = fs_.Space(config_.dir);
  std::string free = space.ok() ? absl::StrCat(space->free_bytes) : "unknown";
  return absl::StrCat("writes are refused: the persistence volume (", config_.dir,
                      ") cannot take a new log segment (", log_->read_only_reason(), "; ", free,
                      " bytes free). Reads still work; writes resume when space is back.");
}

std::string Server::InfoSection(std::string_view sections) {
  InfoInputs in{.config = config_,
                .log = *log_,
                .counters = counters_,
                .conns = conns_,
                .state = state_,
                .stats = command_stats_,
                .rates = rates_,
                .pubsub = pubsub_};
  in.blocked_clients = blocked_.count();
  in.clients_waiting_durability = replies_.held_connections();
  in.fsyncs = commit_->fsyncs();
  in.fsync_seconds_total = commit_->fsync_seconds_total();
  in.started_ms = started_ms_;
  in.now_ms = NowMs();
  in.lazyfree_pending_objects = lazy_free_.pending_objects();
  in.lazyfreed_objects = lazy_free_.freed_objects();
  in.used_memory_peak = used_memory_peak_;
  in.used_memory_startup = used_memory_startup_;
  in.keys_loaded = keys_loaded_;
  in.run_id = run_id_;
  in.master_replid = ReplicationId(dataset_);
  in.replication_section = replication_->InfoSection(in.now_ms);
  in.snapshot = NewestSnapshot(fs_, config_.dir);
  in.bgsave = snapshot_requests_->Status();
  std::vector<std::string> args =
      absl::StrSplit(absl::string_view(sections.data(), sections.size()), ' ', absl::SkipEmpty());
  return InfoText(args, in);
}

// Every 100 ms (Redis's cron): the instantaneous rates and the memory peak.
void Server::SampleStats(int64_t now_ms) {
  rates_.MaybeSample(now_ms, counters_.commands_processed, counters_.net_input_bytes,
                     counters_.net_output_bytes);
  if (now_ms - last_peak_sample_ms_ < InstantaneousMetrics::kSampleIntervalMs) return;
  last_peak_sample_ms_ = now_ms;
  used_memory_peak_ = std::max(used_memory_peak_, UsedMemoryBytes());
}

void Server::ResetStats() {
  counters_.ResetStats();
  command_stats_.ResetStats();
  rates_.Reset();
  used_memory_peak_ = UsedMemoryBytes();
}

std::string Server::ClientList(const ClientFilter& filter) const {
  return ClientListText(conns_, pubsub_, filter, NowMs());
}

bool Server::UnblockClient(uint64_t id, bool with_error) {
  auto it = conns_.find(id);
  if (it == conns_.end() || !it->second->blocked) return false;
  Conn& c = *it->second;
  blocked_.Unpark(c);
  c.blocked_argv.clear();
  RespWriter reply(&c.out, c.session.protocol_version);
  with_error ? reply.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : reply.NullArray();
  // The parked command's flag decides: an unblocked WAIT waits for no acknowledgement.
  TagReply(c, c.session.reply_no_replica_ack ? ReplyWait::kLocalDurability : ReplyWait::kReplicas);
  ResumeFromBacklog(c);
  return true;
}

// Its pipeline goes on from the backlog, after the command running now (no nested Execute).
void Server::ResumeFromBacklog(Conn& c) {
  if (c.input_backlog) return;
  c.input_backlog = true;
  input_backlog_.push_back(c.id);
}

void Server::PauseClients(int64_t until_ms, bool all) {
  // A second pause keeps the stricter mode and the later end, as Redis.
  bool active = pause_until_ms_ > NowMs();
  pause_all_ = all || (active && pause_all_);
  pause_until_ms_ = active ? std::max(pause_until_ms_, until_ms) : until_ms;
}

void Server::UnpauseClients() {
  pause_until_ms_ = 0;
  pause_all_ = false;
  std::vector<uint64_t> ids;
  ids.swap(paused_);
  for (uint64_t id : ids) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    it->second->paused = false;
    ResumeFromBacklog(*it->second);
  }
}

bool Server::WaitsForPause(Conn& c, std::span<const std::string_view> argv) {
  if (pause_until_ms_ == 0 || pause_until_ms_ <= NowMs()) return false;
  if (!pause_all_) {
    // WRITE: what may write or propagate (Redis's may-replicate): writes, scripts, PUBLISH,
    // and an EXEC whose queue writes.
    const CommandSpec* spec = FindCommand(argv[0]);
    if (spec == nullptr) return false;
    bool may_write = (spec->flags & (kWrite | kRunsScript)) || spec->name == "publish" ||
                     spec->name == "spublish";
    if (spec->name == "exec") {
      for (const auto& queued : c.session.multi_queue) {
        const CommandSpec* q = FindCommand(queued[0]);
        may_write = may_write || (q != nullptr && (q->flags & (kWrite | kRunsScript)));
      }
    }
    if (!may_write) return false;
  }
  if (!c.paused) paused_.push_back(c.id);
  c.paused = true;
  return true;
}

size_t Server::KillClients(const ClientFilter& filter) {
  std::vector<uint64_t> ids;
  for (const auto& [id, c] : conns_) {
    if (!c->closing && Matches(filter, c->session)) ids.push_back(id);
  }
  for (uint64_t id : ids) {
    Conn& c = *conns_.at(id);
    if (id == filter.me) {
      c.session.close_after_reply = true;  // its reply first, as Redis
      continue;
    }
    StartClose(c);
    MaybeFree(id);
  }
  return ids.size();
}

}  // namespace strongbox::engine
