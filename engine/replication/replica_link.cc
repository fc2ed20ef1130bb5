// ReplicaLink: the replica's side of the protocol on its own thread.
#include "engine/replication/replica_link.h"

#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ctime>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/state/snapshot.h"
#include "engine/replication/history.h"
#include "engine/replication/replication_protocol.h"

namespace strongbox::engine::replication {

namespace {

constexpr size_t kQueueBytesMax = 32u << 20;     // then the thread stops reading: TCP pushes back
constexpr uint64_t kBulkBytesMax = 1ull << 40;   // a snapshot
constexpr uint64_t kRecordBulkMax = 1ull << 30;  // one run of records
constexpr int64_t kAckEveryMs = 1000;
constexpr int64_t kRetryMs = 1000;

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string Resp(std::initializer_list<std::string_view> argv) {
  std::string out = absl::StrCat("*", argv.size(), "\r\n");
  for (std::string_view a : argv) {
    absl::StrAppend(&out, "$", a.size(), "\r\n");
    out.append(a);
    out += "\r\n";
  }
  return out;
}

}  // namespace

ReplicaLink::ReplicaLink(io::FileSystem& fs, LinkOptions options, std::string history_id,
                         uint64_t next_lsn, int notify_fd)
    : fs_(fs),
      options_(std::move(options)),
      history_id_(std::move(history_id)),
      next_lsn_(next_lsn),
      event_fd_(notify_fd),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      sock_(options_.tls_ctx, wake_fd_, stop_) {
  if (options_.tls_ctx != nullptr) SSL_CTX_up_ref(options_.tls_ctx);
  durable_ = next_lsn - 1;
}

ReplicaLink::~ReplicaLink() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
  sock_.Close();
  ::close(wake_fd_);
  if (options_.tls_ctx != nullptr) SSL_CTX_free(options_.tls_ctx);
}

void ReplicaLink::RequestStop() {
  {
    std::lock_guard lock(mu_);  // Push checks stop_ under it: the notify below is not lost
    stop_ = true;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  room_.notify_all();
}

void ReplicaLink::Start() {
  thread_ = std::thread([this] { Run(); });
}

std::deque<LinkEvent> ReplicaLink::TakeEvents() {
  std::deque<LinkEvent> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(events_);
    queued_bytes_ = 0;
  }
  room_.notify_all();
  return taken;
}

void ReplicaLink::ReportDurable(uint64_t lsn) {
  if (lsn == durable_.load()) return;
  durable_ = lsn;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void ReplicaLink::Push(LinkEvent event) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [this] { return queued_bytes_ < kQueueBytesMax || stop_.load(); });
  queued_bytes_ += event.bytes.size();
  events_.push_back(std::move(event));
  lock.unlock();
  uint64_t one = 1;
  (void)!::write(event_fd_, &one, sizeof(one));
}

void ReplicaLink::SleepUnlessStopped(int64_t ms) {
  pollfd p{wake_fd_, POLLIN, 0};
  int64_t until = NowMs() + ms;
  while (!stop_.load() && NowMs() < until) {
    if (::poll(&p, 1, static_cast<int>(until - NowMs())) > 0) {
      uint64_t count;  // an ACK request while down: drained, or the poll would spin
      (void)!::read(wake_fd_, &count, sizeof(count));
    }
  }
}

void ReplicaLink::Run() {
  // Signals are the loop's (its signalfd): SIGTERM delivered here would kill the process
  // without the clean shutdown.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  while (!stop_.load()) {
    absl::Status why = Session();
    link_up_ = false;
    syncing_ = false;
    sock_.Close();
    if (stop_.load()) break;
    LinkEvent down;
    down.kind = LinkEvent::kDown;
    down.bytes = std::string(why.message());
    Push(std::move(down));
    SleepUnlessStopped(kRetryMs);
  }
  finished_ = true;
}

absl::Status ReplicaLink::Session() {
  buf_.clear();
  buf_pos_ = 0;
  if (auto s = sock_.Connect(options_.host, options_.port, options_.connect_timeout_ms); !s.ok()) {
    return s;
  }
  last_io_ms_ = NowMs();
  if (auto s = Handshake(); !s.ok()) return s;
  return Stream();
}

// AUTH (when configured), REPLCONF, then PSYNC; each answer read before the next.
absl::Status ReplicaLink::Handshake() {
  std::string line;
  if (!options_.masterauth.empty()) {
    auto s = options_.masteruser.empty()
                 ? SendCommand({"AUTH", options_.masterauth})
                 : SendCommand({"AUTH", options_.masteruser, options_.masterauth});
    if (s.ok()) s = ReadLine(&line);
    if (!s.ok()) return s;
    if (line != "+OK") return absl::PermissionDeniedError("AUTH refused: " + line);
  }
  std::string port = absl::StrCat(options_.listening_port);
  // ip-address only when announced, as Redis: else the primary shows the connection's source.
  std::vector<std::vector<std::string_view>> replconfs = {{"listening-port", port}};
  if (!options_.announce_ip.empty()) replconfs.push_back({"ip-address", options_.announce_ip});
  replconfs.push_back({"capa", "strongbox"});
  for (const auto& option : replconfs) {
    if (auto s = SendCommand({"REPLCONF", option[0], option[1]}); !s.ok()) return s;
    if (auto s = ReadLine(&line); !s.ok()) return s;
    if (line != "+OK") return absl::FailedPreconditionError("REPLCONF refused: " + line);
  }
  std::string next = absl::StrCat(next_lsn_);
  // An empty log has nothing to continue: ask for a full resync as Redis's "PSYNC ? -1" does.
  std::string_view history = next_lsn_ == 1 ? std::string_view("?") : history_id_;
  if (auto s = SendCommand({"PSYNC", history, next}); !s.ok()) return s;
  if (auto s = ReadLine(&line); !s.ok()) return s;
  auto reply = ParsePsyncReply(line);
  if (!reply.ok()) return reply.status();
  if (reply->kind == PsyncReply::kFullResync) return ReceiveSnapshot(reply->history_id, reply->lsn);
  LinkEvent cont;
  cont.kind = LinkEvent::kContinue;
  cont.history_id = reply->history_id;
  cont.lsn = next_lsn_ - 1;
  history_id_ = reply->history_id;
  ++partial_syncs_;
  link_up_ = true;
  Push(std::move(cont));
  return absl::OkStatus();
}

// The snapshot bulk into sync_dir/incoming.snap.zst, fsynced, then loaded (verified) here.
absl::Status ReplicaLink::ReceiveSnapshot(const std::string& history_id, uint64_t lsn) {
  syncing_ = true;
  format::DatasetId dataset{};
  if (!DatasetOfHistory(history_id, &dataset)) {
    return absl::DataLossError("FULLRESYNC with a malformed history id: " + history_id);
  }
  std::string line = std::string(kPingLine.substr(0, 5));
  while (line == "+PING") {  // heartbeats while the primary waits for the snapshot's LSN
    if (auto s = ReadLine(&line); !s.ok()) return s;
  }
  auto size = ParseBulkHeader(line, kBulkBytesMax);
  if (!size.ok()) return size.status();
  LinkEvent full;
  full.kind = LinkEvent::kFullSync;
  full.history_id = history_id;
  full.lsn = lsn;
  full.state = std::make_unique<state::State>();
  if (*size == 0 && lsn != 0) {
    return absl::DataLossError(absl::StrCat("FULLRESYNC at LSN ", lsn, " without a snapshot"));
  }
  if (*size > 0) {
    if (auto s = fs_.CreateDir(options_.sync_dir); !s.ok()) return s;
    full.snapshot_path = options_.sync_dir + "/incoming.snap.zst";
    auto file = fs_.Open(full.snapshot_path, io::FileSystem::OpenMode::kCreateOrTruncate);
    if (!file.ok()) return file.status();
    uint64_t written = 0;
    std::string chunk;
    while (written < *size) {
      chunk.clear();
      if (auto s = ReadBytes(std::min<uint64_t>(*size - written, 1u << 20), &chunk); !s.ok())
        return s;
      if (auto s = (*file)->WriteAt(written, chunk); !s.ok()) return s;
      written += chunk.size();
    }
    if (auto s = (*file)->Fsync(); !s.ok()) return s;
    file->reset();
    auto loaded = state::LoadSnapshot(fs_, full.snapshot_path, dataset, full.state.get());
    if (!loaded.ok()) return loaded.status();
    if (loaded->lsn != lsn) {
      return absl::DataLossError(
          absl::StrCat("the snapshot holds LSN ", loaded->lsn, " but FULLRESYNC announced ", lsn));
    }
  }
  std::string crlf;
  if (auto s = ReadBytes(2, &crlf); !s.ok()) return s;
  history_id_ = history_id;
  next_lsn_ = lsn + 1;
  ++full_syncs_;
  syncing_ = false;
  link_up_ = true;
  Push(std::move(full));
  return absl::OkStatus();
}

absl::Status ReplicaLink::Stream() {
  std::string line, bytes;
  while (!stop_.load()) {
    if (auto s = ReadLine(&line); !s.ok()) return s;
    if (line == "+PING") continue;
    auto size = ParseBulkHeader(line, kRecordBulkMax);
    if (!size.ok()) return size.status();
    bytes.clear();
    if (auto s = ReadBytes(*size + 2, &bytes); !s.ok()) return s;
    bytes.resize(*size);
    auto run = CheckRecords(bytes, next_lsn_);
    if (!run.ok()) return run.status();
    LinkEvent ev;
    ev.kind = LinkEvent::kRecords;
    ev.lsn = run->lsn_last;
    ev.records = run->records;
    ev.bytes = std::move(bytes);
    bytes = std::string();
    next_lsn_ = run->lsn_last + 1;
    Push(std::move(ev));
  }
  return absl::CancelledError("stopped");
}

absl::Status ReplicaLink::SendCommand(std::initializer_list<std::string_view> argv) {
  return sock_.SendAll(Resp(argv), options_.timeout_ms);
}

absl::Status ReplicaLink::MaybeSendAck(bool force) {
  uint64_t durable = durable_.load();
  int64_t now = NowMs();
  if (!link_up_.load()) return absl::OkStatus();
  if (!force && durable == acked_ && now - last_ack_ms_ < kAckEveryMs) return absl::OkStatus();
  acked_ = durable;
  last_ack_ms_ = now;
  return SendCommand({"REPLCONF", "ACK", absl::StrCat(durable)});
}

// Waits for bytes from the primary, sending ACKs while it waits; the stop request and a silent
// primary end it.
absl::Status ReplicaLink::Fill() {
  if (buf_pos_ > 0 && buf_pos_ == buf_.size()) {
    buf_.clear();
    buf_pos_ = 0;
  }
  if (buf_pos_ > (1u << 20)) {
    buf_.erase(0, buf_pos_);
    buf_pos_ = 0;
  }
  size_t had = buf_.size();
  while (buf_.size() == had) {
    if (auto s = MaybeSendAck(false); !s.ok()) return s;
    if (auto s = sock_.Receive(&buf_, static_cast<int>(kAckEveryMs)); !s.ok()) return s;
    if (buf_.size() == had && NowMs() - last_io_ms_.load() > options_.timeout_ms) {
      return absl::DeadlineExceededError("no data from the primary within the timeout");
    }
  }
  last_io_ms_ = NowMs();
  return absl::OkStatus();
}

absl::Status ReplicaLink::ReadLine(std::string* line) {
  while (true) {
    size_t eol = buf_.find("\r\n", buf_pos_);
    if (eol != std::string::npos) {
      line->assign(buf_, buf_pos_, eol - buf_pos_);
      buf_pos_ = eol + 2;
      return absl::OkStatus();
    }
    if (buf_.size() - buf_pos_ > 64 * 1024) return absl::DataLossError("line too long");
    if (auto s = Fill(); !s.ok()) return s;
  }
}

absl::Status ReplicaLink::ReadBytes(size_t n, std::string* out) {
  while (n > 0) {
    if (buf_pos_ == buf_.size()) {
      if (auto s = Fill(); !s.ok()) return s;
    }
    size_t take = std::min(n, buf_.size() - buf_pos_);
    out->append(buf_, buf_pos_, take);
    buf_pos_ += take;
    n -= take;
  }
  return absl::OkStatus();
}

}  // namespace strongbox::engine::replication
