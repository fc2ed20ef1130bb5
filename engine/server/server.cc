// io_uring event loop, connections, reply holding and the durability pipeline wiring.
#include "engine/server/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/format/dataset_id.h"
#include "common/util/check.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/durability/recovery.h"

namespace strongbox::engine {

int64_t WallClockMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

namespace {

constexpr unsigned kRingEntries = 4096;
constexpr int64_t kTimerTickMs = 10;
constexpr size_t kRecvChunkBytes = 16 * 1024;

uint64_t UserData(uint64_t id, uint8_t type) { return (id << 8) | type; }

// Effects of the command being executed go straight into the pending log buffer.
class LogEffectSink final : public EffectSink {
 public:
  explicit LogEffectSink(DurableLog& log) : log_(log) {}
  void Emit(uint8_t db, std::span<const std::string_view> argv) override {
    log_.builder().AddOp(db, argv);
  }

 private:
  DurableLog& log_;
};

}  // namespace

struct Server::Conn {
  uint64_t id = 0;
  int fd = -1;
  ClientSession session;
  std::string in;  // received bytes; [0, in_len) valid
  size_t in_len = 0;
  std::string out;                                // replies not yet handed to the kernel
  size_t out_sendable = 0;                        // prefix of `out` whose records are durable
  std::deque<std::pair<uint64_t, size_t>> holds;  // (LSN tag, end offset in out)
  std::string sending;  // bytes of the send in flight (stable for io_uring)
  size_t sending_off = 0;
  bool recv_armed = false;
  bool send_armed = false;
  bool closing = false;
  bool queued_for_send = false;
  bool in_held_list = false;
  bool parse_paused = false;  // output too large: stop reading until it drains
  bool blocked = false;       // parked by a blocking command; input waits in `in`
  std::vector<std::string> blocked_argv;
};

Server::Server(EngineConfig config, io::FileSystem& fs) : config_(std::move(config)), fs_(fs) {
  limits_.bulk_bytes_max = config_.proto_max_bulk_len;
  m_.lsn_assigned =
      &metrics_.AddGauge("strongbox_engine_lsn", "LSNs of the engine.", "kind=\"assigned\"");
  m_.lsn_durable =
      &metrics_.AddGauge("strongbox_engine_lsn", "LSNs of the engine.", "kind=\"durable\"");
  m_.lsn_sealed =
      &metrics_.AddGauge("strongbox_engine_lsn", "LSNs of the engine.", "kind=\"sealed\"");
  m_.read_only = &metrics_.AddGauge("strongbox_engine_read_only",
                                    "1 while writes are refused (volume full or read-only).");
  m_.clients = &metrics_.AddGauge("strongbox_engine_clients_connected", "Connected clients.");
  m_.held_replies = &metrics_.AddGauge("strongbox_engine_clients_waiting_durability",
                                       "Clients with replies waiting for fdatasync.");
  m_.log_bytes = &metrics_.AddCounter("strongbox_engine_log_bytes_written_total",
                                      "Command-log bytes written and synced.");
  m_.log_records = &metrics_.AddCounter("strongbox_engine_log_records_written_total",
                                        "Command-log records written and synced.");
  m_.segments_sealed =
      &metrics_.AddCounter("strongbox_engine_segments_sealed_total", "Segments sealed.");
  m_.commands =
      &metrics_.AddCounter("strongbox_engine_commands_processed_total", "Commands executed.");
  m_.expired =
      &metrics_.AddCounter("strongbox_engine_expired_keys_total", "Keys removed by active expiry.");
  m_.fsync_seconds = &metrics_.AddHistogram("strongbox_engine_fsync_seconds",
                                            "Latency of one batch write + fdatasync.",
                                            metrics::LatencyBucketsSeconds());
  m_.rotation_seconds = &metrics_.AddHistogram(
      "strongbox_engine_rotation_seconds",
      "Time the event loop spends sealing a segment and opening the next one.",
      metrics::LatencyBucketsSeconds());
  m_.batch_records = &metrics_.AddHistogram("strongbox_engine_group_commit_records",
                                            "Records per write+fdatasync (group commit).",
                                            {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  metrics::AddVolumeGauges(metrics_, "strongbox_engine", "persistence", config_.dir);
}

Server::~Server() {
  if (http_) http_->Stop();
  if (ring_ready_) io_uring_queue_exit(&ring_);
  for (auto& [id, c] : conns_) ::close(c->fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (signal_fd_ >= 0) ::close(signal_fd_);
  delete siginfo_;
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Server::Log(const std::string& message) {
  std::fprintf(stderr, "strongbox-engine: %s\n", message.c_str());
}

void Server::Fatal(const std::string& message) {
  Log("FATAL: " + message);
  // Exit without running destructors or flushing anything: the on-disk state is whatever was
  // made durable, and recovery at the next start decides from there.
  std::fflush(stderr);
  std::_Exit(2);
}

int64_t Server::NowMs() const { return WallClockMs(); }

absl::Status Server::Start() {
  if (auto s = fs_.CreateDir(config_.dir); !s.ok()) return s;
  std::string lock_path = config_.dir + "/engine.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return io::ErrnoStatus(errno, "open", lock_path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("another strongbox-engine already uses ", config_.dir, " (", lock_path,
                     " is locked); stop it first or give a different --dir"));
  }
  auto id = format::LoadOrCreateDatasetId(fs_, config_.dir);
  if (!id.ok()) return id.status();
  dataset_ = *id;
  started_ms_ = NowMs();
  auto recovered = Recover(fs_, config_.dir, dataset_, &state_, started_ms_,
                           [this](const std::string& m) { Log(m); });
  if (!recovered.ok()) return recovered.status();
  Log(absl::StrCat("recovered LSN ", recovered->lsn_last, " (snapshot LSN ",
                   recovered->snapshot_lsn, ", ", recovered->records_replayed,
                   " records replayed from ", recovered->segments_replayed, " segments, ",
                   state_.TotalKeys(), " keys)"));
  log_ = std::make_unique<DurableLog>(
      fs_, DurableLogOptions{config_.dir, config_.segment_bytes, config_.rotate_interval_s * 1000},
      dataset_, recovered->lsn_last);
  if (auto s = log_->OpenSegment(NowMs()); !s.ok()) {
    if (!absl::IsResourceExhausted(s) && !absl::IsPermissionDenied(s)) return s;
    read_only_reason_ = std::string(s.message());
    Log("read-only until space is back: " + read_only_reason_);
  }

  // One thread submits and reaps: let the kernel run completion work only when we enter the
  // ring (fewer interrupts and context switches per request). Older kernels reject the flags.
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
  if (rc == -EINVAL) {
    params = io_uring_params{};
    params.flags = IORING_SETUP_COOP_TASKRUN;
    rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
  }
  if (rc == -EINVAL) rc = io_uring_queue_init(kRingEntries, &ring_, 0);
  if (rc < 0) {
    if (rc == -ENOSYS || rc == -EPERM) {
      return absl::FailedPreconditionError(absl::StrCat(
          "io_uring is blocked (io_uring_setup: ", strerror(-rc),
          "). In a container the default seccomp profile forbids io_uring_setup, "
          "io_uring_enter and io_uring_register: run with the profile shipped in "
          "docker/seccomp-iouring.json (security_opt: seccomp=...). On a host, check the sysctl "
          "kernel.io_uring_disabled (must be 0, or 1 with this user in "
          "kernel.io_uring_group)."));
    }
    return absl::InternalError(absl::StrCat("io_uring_queue_init: ", strerror(-rc)));
  }
  ring_ready_ = true;
  if (auto s = Listen(); !s.ok()) return s;

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = signalfd(-1, &mask, SFD_CLOEXEC);
  ::signal(SIGPIPE, SIG_IGN);
  siginfo_ = new ::signalfd_siginfo();

  if (config_.metrics_port > 0) {
    http_ = std::make_unique<metrics::MetricsHttpServer>(
        metrics_, metrics::MetricsHttpServer::Probes{.healthy = [](std::string*) { return true; },
                                                     .ready =
                                                         [this](std::string* why) {
                                                           if (!ready_.load()) {
                                                             *why = "starting";
                                                             return false;
                                                           }
                                                           return true;
                                                         }});
    std::string metrics_bind = config_.bind;
    if (auto s = http_->Start(metrics_bind, config_.metrics_port); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Server::Listen() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return io::ErrnoStatus(errno, "socket", "");
  int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(config_.port));
  if (::inet_pton(AF_INET, config_.bind.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError("invalid --bind: give an IPv4 address like 127.0.0.1");
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.bind, ":", config_.port,
                                               ": ", strerror(errno), " (choose another --port?)"));
  }
  if (::listen(listen_fd_, 1024) != 0) return io::ErrnoStatus(errno, "listen", "");
  return absl::OkStatus();
}

io_uring_sqe* Server::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  SB_CHECK(sqe != nullptr, "io_uring submission queue exhausted");
  return sqe;
}

void Server::ArmAccept() {
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_multishot_accept(sqe, listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, UserData(0, kAccept));
  accepting_ = true;
}

void Server::ArmRecv(Conn& c) {
  if (c.recv_armed || c.closing || c.parse_paused || shutting_down_) return;
  if (c.in.size() - c.in_len < kRecvChunkBytes / 2) {
    c.in.resize(std::max(c.in.size() * 2, c.in_len + kRecvChunkBytes));
  }
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_recv(sqe, c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len, 0);
  io_uring_sqe_set_data64(sqe, UserData(c.id, kRecv));
  c.recv_armed = true;
}

void Server::ArmTimer() {
  timer_ts_.tv_sec = 0;
  timer_ts_.tv_nsec = kTimerTickMs * 1'000'000;
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_timeout(sqe, &timer_ts_, 0, 0);
  io_uring_sqe_set_data64(sqe, UserData(0, kTimer));
}

void Server::ArmSignal() {
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_read(sqe, signal_fd_, siginfo_, sizeof(*siginfo_), 0);
  io_uring_sqe_set_data64(sqe, UserData(0, kSignal));
}

int Server::Run() {
  if (auto s = Start(); !s.ok()) {
    Log("cannot start: " + s.ToString());
    return 1;
  }
  ArmAccept();
  ArmTimer();
  ArmSignal();
  ready_ = true;
  Log(absl::StrCat("ready on ", config_.bind, ":", config_.port, " (fsync ", config_.fsync,
                   ", dir ", config_.dir, ")"));
  Loop();
  Log("stopped cleanly");
  return 0;
}

void Server::Loop() {
  int64_t shutdown_deadline_ms = 0;
  for (;;) {
    io_uring_submit_and_wait(&ring_, 1);
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      uint64_t data = io_uring_cqe_get_data64(cqe);
      auto type = static_cast<OpType>(data & 0xff);
      uint64_t id = data >> 8;
      int res = cqe->res;
      switch (type) {
        case kAccept:
          OnAccept(res, cqe->flags);
          break;
        case kRecv:
        case kSend: {
          auto it = conns_.find(id);
          SB_CHECK(it != conns_.end(), "completion for an unknown connection");
          type == kRecv ? OnRecv(*it->second, res) : OnSend(*it->second, res);
          MaybeFree(id);
          break;
        }
        case kLogWrite:
          OnLogWrite(res, id);
          break;
        case kLogSync:
          OnLogSync(res);
          break;
        case kTimer:
          OnTimer();
          break;
        case kSignal:
          if (res > 0) {
            Log(absl::StrCat("signal ", siginfo_->ssi_signo, ": shutting down"));
            shutting_down_ = true;
          }
          break;
      }
    }
    io_uring_cq_advance(&ring_, seen);
    ServeReadyKeys();
    FlushIfDue(false);
    SubmitSends();
    UpdateGauges();

    if (shutting_down_) {
      if (shutdown_deadline_ms == 0) {
        shutdown_deadline_ms = NowMs() + 5000;
        if (listen_fd_ >= 0) {
          ::shutdown(listen_fd_, SHUT_RDWR);
        }
        for (auto& [cid, c] : conns_) ::shutdown(c->fd, SHUT_RD);
      }
      FlushIfDue(true);
      bool log_idle = !log_->batch_in_flight() && log_->pending_records() == 0;
      bool sends_done = true;
      for (auto& [cid, c] : conns_) {
        if (c->send_armed || c->out_sendable > 0) sends_done = false;
      }
      if ((log_idle && sends_done) || NowMs() > shutdown_deadline_ms) {
        if (!log_idle) Fatal("shutdown: the log did not drain in time");
        if (auto s = log_->SealActive(NowMs()); !s.ok()) Fatal("seal at shutdown: " + s.ToString());
        return;
      }
    }
  }
}

void Server::OnAccept(int res, uint32_t flags) {
  if (!(flags & IORING_CQE_F_MORE) && !shutting_down_) ArmAccept();
  if (res < 0) {
    if (res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
      Log(absl::StrCat("accept: ", strerror(-res)));
    }
    return;
  }
  ++connections_received_;
  if (shutting_down_ || conns_.size() >= static_cast<size_t>(config_.maxclients)) {
    static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
    ++rejected_connections_;
    (void)::send(res, kFull.data(), kFull.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(res);
    return;
  }
  int yes = 1;
  ::setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  auto c = std::make_unique<Conn>();
  c->id = next_conn_id_++;
  c->fd = res;
  c->session.id = c->id;
  c->session.authenticated = !password_required();
  sockaddr_in peer{};
  socklen_t len = sizeof(peer);
  if (::getpeername(res, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char ip[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
    c->session.address = absl::StrCat(ip, ":", ntohs(peer.sin_port));
  }
  Conn& ref = *c;
  conns_.emplace(c->id, std::move(c));
  ArmRecv(ref);
}

void Server::OnRecv(Conn& c, int res) {
  c.recv_armed = false;
  if (res <= 0 && shutting_down_) return;  // input closed for shutdown: keep sending replies
  if (res <= 0) {
    StartClose(c);
    return;
  }
  c.in_len += static_cast<size_t>(res);
  ProcessInput(c);
  ArmRecv(c);
}

void Server::ProcessInput(Conn& c) {
  std::vector<std::string_view> argv;
  size_t pos = 0;
  while (pos < c.in_len && !c.closing && !c.session.close_after_reply && !c.blocked) {
    std::string_view buf(c.in.data() + pos, c.in_len - pos);
    ParseResult r = ParseCommand(buf, limits_, &argv);
    if (r.status == ParseStatus::kIncomplete) {
      if (r.needed_bytes > 0 && r.needed_bytes > c.in.size() - pos) {
        // Large bulk: size the buffer once instead of growing it 16 KiB at a time.
        std::string bigger(r.needed_bytes + kRecvChunkBytes, '\0');
        std::memcpy(bigger.data(), c.in.data() + pos, c.in_len - pos);
        c.in.swap(bigger);
        c.in_len -= pos;
        pos = 0;
      }
      break;
    }
    if (r.status == ParseStatus::kError) {
      RespWriter w(&c.out, c.session.protocol_version);
      w.Error("ERR Protocol error: " + r.error);
      c.out_sendable = c.out.size() > 0 && c.holds.empty() ? c.out.size() : c.out_sendable;
      if (!c.holds.empty()) c.holds.back().second = c.out.size();
      c.session.close_after_reply = true;
      break;
    }
    pos += r.consumed;
    if (!argv.empty()) Execute(c, argv);
  }
  if (pos > 0) {
    std::memmove(c.in.data(), c.in.data() + pos, c.in_len - pos);
    c.in_len -= pos;
  }
  if (c.in_len > static_cast<size_t>(config_.client_query_buffer_limit)) {
    RespWriter w(&c.out, c.session.protocol_version);
    w.Error("ERR Protocol error: query buffer limit exceeded (--client-query-buffer-limit)");
    if (c.holds.empty()) c.out_sendable = c.out.size();
    c.session.close_after_reply = true;
    c.in_len = 0;
  }
  // Large pending output: stop reading this client until its replies drain.
  c.parse_paused = c.out.size() > static_cast<size_t>(config_.client_output_buffer_limit);
  if (c.out.size() > c.out_sendable || !c.holds.empty()) {
    if (!c.in_held_list) {
      c.in_held_list = true;
      held_conns_.push_back(c.id);
    }
  }
  if (c.out_sendable > 0 && !c.queued_for_send) {
    c.queued_for_send = true;
    send_queue_.push_back(c.id);
  }
  if (c.session.close_after_reply && c.out_sendable == 0 && c.holds.empty() && !c.send_armed) {
    StartClose(c);
  }
}

void Server::Execute(Conn& c, std::span<const std::string_view> argv) {
  ++commands_processed_;
  int64_t now_ms = NowMs();
  RespWriter writer(&c.out, c.session.protocol_version);
  LogEffectSink sink(*log_);
  log_->BeginRecord(now_ms);
  CommandContext ctx{argv, c.session, state_, writer, sink, *this, now_ms};
  Dispatch(ctx);
  uint64_t lsn = log_->EndRecord();
  (void)lsn;
  if (c.session.block.active) Park(c, argv);
  TagReply(c);
  if (config_.fsync_always() == false &&
      log_->pending_records() >= static_cast<size_t>(config_.batch_capacity)) {
    FlushIfDue(true);
  }
}

void Server::TagReply(Conn& c) {
  // Every reply, reads included, depends on everything assigned so far (reads may have seen
  // effects of records that are not durable yet).
  uint64_t tag = log_->lsn_assigned();
  if (config_.fsync_always() && tag > log_->lsn_durable()) {
    Hold(c, tag);
  } else if (c.holds.empty()) {
    c.out_sendable = c.out.size();
  } else {
    Hold(c, tag);
  }
}

void Server::MarkReplied(Conn& c) {
  TagReply(c);
  if (c.out_sendable > 0 && !c.queued_for_send) {
    c.queued_for_send = true;
    send_queue_.push_back(c.id);
  }
  if (!c.holds.empty() && !c.in_held_list) {
    c.in_held_list = true;
    held_conns_.push_back(c.id);
  }
}

void Server::Park(Conn& c, std::span<const std::string_view> argv) {
  c.blocked = true;
  ++blocked_clients_;
  c.blocked_argv.assign(argv.begin(), argv.end());
  for (const auto& [db, key] : c.session.block.keys) {
    blocked_keys_[absl::StrCat(db, ":", key)].push_back(c.id);
  }
}

void Server::Unpark(Conn& c) {
  if (!c.blocked) return;
  c.blocked = false;
  --blocked_clients_;
  for (const auto& [db, key] : c.session.block.keys) {
    auto it = blocked_keys_.find(absl::StrCat(db, ":", key));
    if (it == blocked_keys_.end()) continue;
    auto& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), c.id), ids.end());
    if (ids.empty()) blocked_keys_.erase(it);
  }
  c.session.block = ClientSession::BlockRequest();
}

void Server::ServeReadyKeys() {
  // Clients are served in the order they blocked; a served pop can make other keys ready
  // (BLMOVE pushes), hence the loop.
  for (int rounds = 0; !ready_keys_.empty() && rounds < 1000; ++rounds) {
    std::vector<std::string> keys;
    keys.swap(ready_keys_);
    for (const std::string& name : keys) {
      auto it = blocked_keys_.find(name);
      if (it == blocked_keys_.end()) continue;
      std::vector<uint64_t> ids = it->second;
      for (uint64_t id : ids) {
        auto conn = conns_.find(id);
        if (conn == conns_.end() || !conn->second->blocked) continue;
        Conn& c = *conn->second;
        std::vector<std::string> owned = std::move(c.blocked_argv);
        Unpark(c);
        std::vector<std::string_view> argv(owned.begin(), owned.end());
        Execute(c, argv);  // re-parks if the key was emptied again meanwhile
        if (!c.blocked) ResumeInput(c);
      }
    }
  }
}

void Server::ExpireBlocked(int64_t now_ms) {
  if (blocked_clients_ == 0) return;
  for (auto& [id, conn] : conns_) {
    Conn& c = *conn;
    if (!c.blocked || c.session.block.deadline_ms == 0 || c.session.block.deadline_ms > now_ms) {
      continue;
    }
    Unpark(c);
    c.blocked_argv.clear();
    RespWriter(&c.out, c.session.protocol_version).NullArray();
    MarkReplied(c);
    ResumeInput(c);
  }
}

void Server::ResumeInput(Conn& c) {
  if (c.closing) return;
  ProcessInput(c);
  ArmRecv(c);
}

void Server::Hold(Conn& c, uint64_t lsn_tag) {
  if (!c.holds.empty() && c.holds.back().first == lsn_tag) {
    c.holds.back().second = c.out.size();
  } else {
    c.holds.emplace_back(lsn_tag, c.out.size());
  }
}

void Server::ReleaseDurable() {
  uint64_t durable = log_->lsn_durable();
  std::vector<uint64_t> still;
  for (uint64_t id : held_conns_) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    while (!c.holds.empty() && (c.holds.front().first <= durable || !config_.fsync_always())) {
      c.out_sendable = c.holds.front().second;
      c.holds.pop_front();
    }
    if (c.out_sendable > 0 && !c.queued_for_send) {
      c.queued_for_send = true;
      send_queue_.push_back(c.id);
    }
    if (c.holds.empty()) {
      c.in_held_list = false;
    } else {
      still.push_back(id);
    }
  }
  held_conns_.swap(still);
}

void Server::SubmitSends() {
  std::vector<uint64_t> queue;
  queue.swap(send_queue_);
  for (uint64_t id : queue) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    c.queued_for_send = false;
    if (c.send_armed || c.out_sendable == 0 || c.closing) continue;
    // Hand the durable prefix to the kernel; the rest stays held in `out`.
    c.sending.assign(c.out.data(), c.out_sendable);
    c.out.erase(0, c.out_sendable);
    for (auto& h : c.holds) h.second -= c.out_sendable;
    c.out_sendable = 0;
    c.sending_off = 0;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_send(sqe, c.fd, c.sending.data(), c.sending.size(), MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, UserData(c.id, kSend));
    c.send_armed = true;
  }
}

void Server::OnSend(Conn& c, int res) {
  c.send_armed = false;
  if (res < 0) {
    StartClose(c);
    return;
  }
  c.sending_off += static_cast<size_t>(res);
  if (c.sending_off < c.sending.size() && !c.closing) {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_send(sqe, c.fd, c.sending.data() + c.sending_off,
                       c.sending.size() - c.sending_off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, UserData(c.id, kSend));
    c.send_armed = true;
    return;
  }
  c.sending.clear();
  if (c.session.close_after_reply && c.out_sendable == 0 && c.holds.empty()) {
    StartClose(c);
    return;
  }
  if (c.out_sendable > 0 && !c.queued_for_send) {
    c.queued_for_send = true;
    send_queue_.push_back(c.id);
  }
  if (c.parse_paused &&
      c.out.size() <= static_cast<size_t>(config_.client_output_buffer_limit) / 2) {
    c.parse_paused = false;
    ProcessInput(c);
    ArmRecv(c);
  }
}

void Server::StartClose(Conn& c) {
  if (c.closing) return;
  c.closing = true;
  UnwatchAll(c.session);
  Unpark(c);
  // shutdown() completes the recv/send in flight; the buffers live until both have returned.
  ::shutdown(c.fd, SHUT_RDWR);
}

void Server::MaybeFree(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (!c.closing || c.recv_armed || c.send_armed) return;
  ::close(c.fd);
  conns_.erase(it);
}

void Server::FlushIfDue(bool force) {
  if (log_->batch_in_flight() || log_->pending_records() == 0) return;
  if (!config_.fsync_always() && !force && !shutting_down_) {
    bool time_due = NowMs() - last_flush_ms_ >= config_.flush_interval_ms;
    bool size_due = log_->pending_records() >= static_cast<size_t>(config_.batch_capacity);
    if (!time_due && !size_due) return;
  }
  auto batch = log_->TakeBatch();
  if (!batch) return;  // no segment: read-only, the records wait for space
  batch_started_ = std::chrono::steady_clock::now();
  last_flush_ms_ = NowMs();
  m_.batch_records->Observe(static_cast<double>(batch->records));
  // Write and fdatasync as one linked pair: the sync starts only if the write succeeded.
  io_uring_sqe* w = Sqe();
  io_uring_prep_write(w, batch->file->fd(), batch->data.data(),
                      static_cast<unsigned>(batch->data.size()), batch->offset);
  io_uring_sqe_set_data64(w, UserData(batch->data.size(), kLogWrite));
  w->flags |= IOSQE_IO_LINK;
  io_uring_sqe* s = Sqe();
  io_uring_prep_fsync(s, batch->file->fd(), IORING_FSYNC_DATASYNC);
  io_uring_sqe_set_data64(s, UserData(0, kLogSync));
  io_uring_submit(&ring_);
}

void Server::OnLogWrite(int res, uint64_t expected_bytes) {
  // The expected length travels in the user data's upper bits. A failed or short write also
  // cancels the linked fdatasync; either way the outcome is unknown: stop, recovery decides.
  if (res < 0) Fatal(absl::StrCat("write to ", log_->active_path(), ": ", strerror(-res)));
  if (static_cast<uint64_t>(res) != expected_bytes) {
    Fatal(absl::StrCat("short write to ", log_->active_path(), ": ", res, " of ", expected_bytes,
                       " bytes (volume full?)"));
  }
}

void Server::OnLogSync(int res) {
  if (res < 0) {
    Fatal(absl::StrCat("fdatasync of ", log_->active_path(), " failed: ",
                       res == -ECANCELED ? "the write before it was short" : strerror(-res),
                       " — not retried (the data's state is unknown); recovery at the next "
                       "start decides"));
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_started_).count();
  m_.fsync_seconds->Observe(seconds);
  ++fsyncs_;
  fsync_seconds_total_ += seconds;
  log_->BatchDurable();
  ReleaseDurable();
  Rotate(NowMs());
  if (!log_->has_segment()) TryLeaveReadOnly();
  if (config_.fsync_always()) FlushIfDue(true);
}

void Server::Rotate(int64_t now_ms) {
  uint64_t sealed_before = log_->segments_sealed();
  auto start = std::chrono::steady_clock::now();
  if (auto s = log_->MaybeRotate(now_ms); !s.ok()) Fatal("rotation: " + s.ToString());
  if (log_->segments_sealed() != sealed_before) {
    // Sealing and opening the next segment run on the loop: their time is a latency spike
    // every client sees, so it is measured.
    m_.rotation_seconds->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!log_->has_segment()) TryLeaveReadOnly();
  }
}

void Server::OnTimer() {
  ArmTimer();
  int64_t now = NowMs();
  if (!log_->batch_in_flight()) {
    Rotate(now);
  }
  if (!log_->has_segment() && now >= readonly_next_try_ms_) TryLeaveReadOnly();
  if (!shutting_down_ && log_->has_segment()) ActiveExpire();
  ExpireBlocked(now);
  FlushIfDue(false);
}

void Server::TryLeaveReadOnly() {
  if (log_->has_segment() || log_->batch_in_flight()) return;
  readonly_next_try_ms_ = NowMs() + config_.readonly_retry_ms;
  absl::Status s = log_->OpenSegment(NowMs());
  if (s.ok()) {
    if (!read_only_reason_.empty()) Log("space is back: accepting writes again");
    read_only_reason_.clear();
    FlushIfDue(true);
    return;
  }
  if (!absl::IsResourceExhausted(s) && !absl::IsPermissionDenied(s)) {
    Fatal("cannot create a segment: " + s.ToString());
  }
  if (read_only_reason_.empty()) Log("read-only: " + std::string(s.message()));
  read_only_reason_ = std::string(s.message());
}

std::string Server::read_only_reason() const {
  auto space = fs_.Space(config_.dir);
  std::string free = space.ok() ? absl::StrCat(space->free_bytes) : "unknown";
  return absl::StrCat("writes are refused: the persistence volume (", config_.dir,
                      ") cannot take a new log segment (", read_only_reason_, "; ", free,
                      " bytes free). Reads still work; writes resume when space is back.");
}

void Server::ActiveExpire() {
  // The expiry index is ordered by time: take exactly the keys that are due, bounded per tick
  // so a mass expiry cannot stall the loop. Each DEL is logged like any write.
  constexpr int kBudgetPerTick = 200;
  int budget = kBudgetPerTick;
  int64_t now = NowMs();
  for (int db = 0; db < state::kDatabaseCount && budget > 0; ++db) {
    const auto& index = state_.db(db).expiry_index();
    if (index.empty() || index.begin()->first > now) continue;
    ClientSession session;
    session.db = static_cast<uint8_t>(db);
    std::string scratch;
    RespWriter writer(&scratch);
    LogEffectSink sink(*log_);
    CommandContext ctx{{}, session, state_, writer, sink, *this, now};
    log_->BeginRecord(now);
    while (budget-- > 0 && !index.empty() && index.begin()->first <= now) {
      std::string key = index.begin()->second;
      Apply(ctx, {"DEL", key});
      ++expired_keys_;
      m_.expired->Inc();
    }
    log_->EndRecord();
  }
}

bool Server::CheckPassword(std::string_view password) const {
  const std::string& want = config_.requirepass;
  // Constant time in the password's content: always walk the full expected length.
  unsigned char diff = password.size() == want.size() ? 0 : 1;
  for (size_t i = 0; i < want.size(); ++i) {
    unsigned char got = i < password.size() ? static_cast<unsigned char>(password[i]) : 0;
    diff |= got ^ static_cast<unsigned char>(want[i]);
  }
  return diff == 0;
}

bool Server::ConfigGet(std::string_view name, std::string* value) const {
  if (name == "port") {
    *value = std::to_string(config_.port);
  } else if (name == "bind") {
    *value = config_.bind;
  } else if (name == "requirepass") {
    *value = config_.requirepass.empty() ? "" : "(set)";
  } else if (name == "maxclients") {
    *value = std::to_string(config_.maxclients);
  } else if (name == "proto-max-bulk-len") {
    *value = std::to_string(config_.proto_max_bulk_len);
  } else if (name == "client-query-buffer-limit") {
    *value = std::to_string(config_.client_query_buffer_limit);
  } else if (name == "dir") {
    *value = config_.dir;
  } else if (name == "appendfsync") {
    *value = config_.fsync_always() ? "always" : "everysec";
  } else {
    return false;
  }
  return true;
}

std::string Server::ClientList() const {
  std::string out;
  for (const auto& [id, c] : conns_) {
    absl::StrAppend(&out, "id=", id, " addr=", c->session.address, " name=", c->session.name,
                    " db=", c->session.db, " qbuf=", c->in_len, " omem=", c->out.size(), "\n");
  }
  return out;
}

void Server::TouchKey(uint8_t db, std::string_view key) {
  if (!blocked_keys_.empty()) {
    std::string name = absl::StrCat(db, ":", std::string(key));
    if (blocked_keys_.contains(name)) ready_keys_.push_back(std::move(name));
  }
  if (watchers_.empty()) return;
  auto it = watchers_.find(absl::StrCat(db, ":", std::string(key)));
  if (it == watchers_.end()) return;
  for (uint64_t id : it->second) {
    auto c = conns_.find(id);
    if (c != conns_.end()) c->second->session.watch_dirty = true;
  }
}

void Server::TouchAll(int db) {
  for (auto& [name, ids] : watchers_) {
    if (db >= 0 && !absl::StartsWith(name, absl::StrCat(db, ":"))) continue;
    for (uint64_t id : ids) {
      auto c = conns_.find(id);
      if (c != conns_.end()) c->second->session.watch_dirty = true;
    }
  }
}

void Server::Watch(ClientSession& client, uint8_t db, std::string_view key) {
  std::string name = absl::StrCat(db, ":", std::string(key));
  auto& ids = watchers_[name];
  if (std::find(ids.begin(), ids.end(), client.id) == ids.end()) ids.push_back(client.id);
  client.watched_keys.emplace_back(db, std::string(key));
}

void Server::UnwatchAll(ClientSession& client) {
  for (const auto& [db, key] : client.watched_keys) {
    auto it = watchers_.find(absl::StrCat(db, ":", key));
    if (it == watchers_.end()) continue;
    auto& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), client.id), ids.end());
    if (ids.empty()) watchers_.erase(it);
  }
  client.watched_keys.clear();
}

void Server::UpdateGauges() {
  m_.lsn_assigned->Set(static_cast<double>(log_->lsn_assigned()));
  m_.lsn_durable->Set(static_cast<double>(log_->lsn_durable()));
  m_.lsn_sealed->Set(static_cast<double>(log_->lsn_sealed()));
  m_.read_only->Set(read_only() ? 1 : 0);
  m_.clients->Set(static_cast<double>(conns_.size()));
  m_.held_replies->Set(static_cast<double>(held_conns_.size()));
  m_.log_bytes->Inc(log_->bytes_written() - reported_bytes_);
  reported_bytes_ = log_->bytes_written();
  m_.log_records->Inc(log_->records_written() - reported_records_);
  reported_records_ = log_->records_written();
  m_.segments_sealed->Inc(log_->segments_sealed() - reported_sealed_);
  reported_sealed_ = log_->segments_sealed();
  m_.commands->Inc(commands_processed_ - static_cast<uint64_t>(m_.commands->value()));
}

std::string Server::InfoSection(std::string_view section) {
  bool all = section.empty() || section == "all" || section == "everything" || section == "default";
  std::string out;
  auto want = [&](std::string_view s) { return all || section == s; };
  if (want("server")) {
    absl::StrAppend(&out, "# Server\r\nredis_version:7.0.0\r\nstrongbox_version:0.1.0\r\n",
                    "redis_mode:standalone\r\nos:Linux\r\narch_bits:64\r\n",
                    "multiplexing_api:io_uring\r\nprocess_id:", getpid(),
                    "\r\ntcp_port:", config_.port,
                    "\r\nuptime_in_seconds:", (NowMs() - started_ms_) / 1000, "\r\n\r\n");
  }
  if (want("clients")) {
    absl::StrAppend(&out, "# Clients\r\nconnected_clients:", conns_.size(),
                    "\r\nmaxclients:", config_.maxclients, "\r\nblocked_clients:", blocked_clients_,
                    "\r\n", "clients_waiting_durability:", held_conns_.size(), "\r\n\r\n");
  }
  if (want("memory")) {
    long pages = 0, rss_pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &rss_pages) != 2) rss_pages = 0;
      std::fclose(f);
    }
    long rss = rss_pages * sysconf(_SC_PAGESIZE);
    // used_memory is what the allocator handed out (Redis reports its allocator's figure
    // too), so fragmentation shows as the ratio to RSS.
    struct mallinfo2 mi = mallinfo2();
    size_t used = mi.uordblks + mi.hblkhd;
    // A replaced allocator (sanitizers, jemalloc/tcmalloc preloads) leaves glibc's counters at
    // zero: report RSS then rather than a misleading 0.
    if (used == 0) used = static_cast<size_t>(rss);
    double fragmentation = used ? static_cast<double>(rss) / static_cast<double>(used) : 0;
    absl::StrAppend(&out, "# Memory\r\nused_memory:", used, "\r\nused_memory_rss:", rss,
                    "\r\nmem_fragmentation_ratio:", absl::StrFormat("%.2f", fragmentation),
                    "\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n\r\n");
  }
  if (want("persistence")) {
    double avg_ms = fsyncs_ ? fsync_seconds_total_ * 1000 / static_cast<double>(fsyncs_) : 0;
    absl::StrAppend(
        &out, "# Persistence\r\nloading:0\r\naof_enabled:1\r\nrdb_bgsave_in_progress:0\r\n",
        "rdb_changes_since_last_save:0\r\nfsync_policy:", config_.fsync,
        "\r\nlsn_assigned:", log_->lsn_assigned(), "\r\nlsn_durable:", log_->lsn_durable(),
        "\r\nlsn_sealed:", log_->lsn_sealed(), "\r\nlog_bytes_written:", log_->bytes_written(),
        "\r\nlog_records_written:", log_->records_written(),
        "\r\nsegments_sealed:", log_->segments_sealed(), "\r\nfsyncs:", fsyncs_,
        "\r\nfsync_avg_ms:", avg_ms, "\r\nactive_segment:", log_->active_path(),
        "\r\nread_only:", read_only() ? 1 : 0, "\r\n\r\n");
  }
  if (want("stats")) {
    absl::StrAppend(&out, "# Stats\r\ntotal_connections_received:", connections_received_,
                    "\r\ntotal_commands_processed:", commands_processed_,
                    "\r\nrejected_connections:", rejected_connections_,
                    "\r\nexpired_keys:", expired_keys_, "\r\n\r\n");
  }
  return out;
}

}  // namespace strongbox::engine
