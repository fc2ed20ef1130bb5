// Connection I/O on the ring: accept, receive and parse (pipelines, limits), send the durable
// prefix of the replies, close.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {
namespace {

constexpr int64_t kTimerTickMs = 10;
constexpr size_t kRecvChunkBytes = 16 * 1024;
// Commands one connection runs per loop turn before the others' completions are served (about
// a millisecond of simple commands; Redis bounds it by reading 16 KiB per event).
constexpr size_t kCommandsPerTurn = 512;

// "ip:port" of the client's side (addr) or of ours (laddr).
std::string SocketAddress(int fd, bool local) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  auto* raw = reinterpret_cast<sockaddr*>(&addr);
  if ((local ? ::getsockname(fd, raw, &len) : ::getpeername(fd, raw, &len)) != 0) return "";
  char ip[INET_ADDRSTRLEN] = "?";
  ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip));
  return absl::StrCat(ip, ":", ntohs(addr.sin_port));
}

}  // namespace

void Server::ArmAccept(uint64_t listener) {
  io_uring_sqe* sqe = ring_.Sqe(OpType::kAccept, listener);
  int fd = listener == kTlsListener ? tls_listen_fd_ : listen_fd_;
  io_uring_prep_multishot_accept(sqe, fd, nullptr, nullptr, SOCK_CLOEXEC);
}

void Server::ArmRecv(Conn& c) {
  // Not while paused (CLIENT PAUSE): a recv in flight writes at in_len, which resuming moves.
  if (c.recv_armed || c.closing || c.parse_paused || c.input_backlog || c.paused ||
      shutting_down_) {
    return;
  }
  if (c.tls) return ArmTlsRecv(c);
  if (c.in.size() - c.in_len < kRecvChunkBytes / 2) {
    c.in.resize(std::max(c.in.size() * 2, c.in_len + kRecvChunkBytes));
  }
  io_uring_sqe* sqe = ring_.Sqe(OpType::kRecv, c.id);
  io_uring_prep_recv(sqe, c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len, 0);
  c.recv_armed = true;
}

void Server::ArmTimer() {
  timer_ts_.tv_sec = 0;
  timer_ts_.tv_nsec = kTimerTickMs * 1'000'000;
  io_uring_sqe* sqe = ring_.Sqe(OpType::kTimer, 0);
  io_uring_prep_timeout(sqe, &timer_ts_, 0, 0);
}

void Server::ArmSignal() {
  io_uring_sqe* sqe = ring_.Sqe(OpType::kSignal, 0);
  io_uring_prep_read(sqe, signal_fd_, &siginfo_, sizeof(siginfo_), 0);
}

void Server::OnAccept(uint64_t listener, int res, uint32_t flags) {
  if (!(flags & IORING_CQE_F_MORE) && !shutting_down_) ArmAccept(listener);
  if (res < 0) {
    if (res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
      LogLine(absl::StrCat("accept: ", strerror(-res)));
    }
    return;
  }
  ++counters_.connections_received;
  if (shutting_down_ || conns_.size() >= static_cast<size_t>(config_.maxclients)) {
    static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
    ++counters_.rejected_connections;
    // A TLS client would read the plain error as a broken record: it only sees the close.
    if (listener == kPlainListener)
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
  c->session.address = SocketAddress(res, false);
  c->session.local_address = SocketAddress(res, true);
  c->session.created_ms = c->session.last_command_ms = NowMs();
  if (listener == kTlsListener && !AttachTls(*c)) return;
  Conn& ref = *c;
  conns_.emplace(c->id, std::move(c));
  ArmRecv(ref);
}

void Server::OnRecv(Conn& c, int res) {
  c.recv_armed = false;
  if (res <= 0 && shutting_down_) return;  // input closed for shutdown: keep sending replies
  if (res <= 0) return StartClose(c);
  ++counters_.reads_processed;
  counters_.net_input_bytes += static_cast<uint64_t>(res);
  if (!TakeReceived(c, static_cast<size_t>(res), /*decrypt=*/true)) return StartClose(c);
  ProcessInput(c);
  ArmRecv(c);
}

void Server::ServeInputBacklog() {
  std::vector<uint64_t> ids;
  ids.swap(input_backlog_);
  for (uint64_t id : ids) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    c.input_backlog = false;
    if (c.parse_paused) continue;  // its replies drain first; OnSend resumes it
    ResumeInput(c);
  }
}

void Server::CompactInput(Conn& c, size_t parsed_to) {
  // A receive in flight writes at c.in.data() + in_len as it was when armed: nothing may move
  // until it completes, so the parsed prefix is only remembered then.
  if (c.recv_armed) {
    c.in_pos = parsed_to;
    return;
  }
  std::memmove(c.in.data(), c.in.data() + parsed_to, c.in_len - parsed_to);
  c.in_len -= parsed_to;
  c.in_pos = 0;
}

namespace {

// Commands parsed ahead of running them, so that the keys they name can be prefetched together
// (PrefetchWindow). The views point into the connection's input buffer, which nothing moves
// while ProcessInput runs.
struct ParsedWindow {
  static constexpr size_t kCommandsMax = 16;
  struct Command {
    size_t first_arg = 0;  // into args
    size_t argc = 0;
    size_t end = 0;  // input offset just past the command
  };
  std::array<Command, kCommandsMax> commands;
  size_t size = 0;
  std::vector<std::string_view> args;

  std::span<const std::string_view> argv(size_t i) const {
    return {args.data() + commands[i].first_arg, commands[i].argc};
  }
};

// Parses up to kCommandsMax complete commands from `pos`; stops at the first incomplete or bad
// one (found again, and handled, once the commands before it have run).
void ParseAhead(std::string_view input, size_t pos, const ParserLimits& limits,
                std::vector<std::string_view>* scratch, ParsedWindow* window) {
  window->size = 0;
  window->args.clear();
  while (window->size < ParsedWindow::kCommandsMax && pos < input.size()) {
    ParseResult r = ParseCommand(input.substr(pos), limits, scratch);
    if (r.status != ParseStatus::kOk) break;
    pos += r.consumed;
    window->commands[window->size++] = {window->args.size(), scratch->size(), pos};
    window->args.insert(window->args.end(), scratch->begin(), scratch->end());
  }
}

// A pipelined client's next commands mostly name their key first: asking for every bucket slot,
// then every chain head, lets those cache misses overlap instead of costing one after another.
void PrefetchWindow(const state::Db& db, const ParsedWindow& window) {
  std::array<uint64_t, ParsedWindow::kCommandsMax> hashes;
  for (size_t i = 0; i < window.size; ++i) {
    auto argv = window.argv(i);
    hashes[i] = argv.size() >= 2 ? db.PrefetchSlot(argv[1]) : 0;
  }
  for (size_t i = 0; i < window.size; ++i) {
    if (window.commands[i].argc >= 2) db.PrefetchChain(hashes[i]);
  }
}

}  // namespace

void Server::ProcessInput(Conn& c) {
  std::vector<std::string_view> scratch;
  ParsedWindow window;
  size_t next = 0;  // window.commands[next..size) are parsed, not run yet
  size_t pos = c.in_pos;
  size_t commands = 0;
  while (!c.closing && !c.session.close_after_reply && !c.blocked) {
    if (next == window.size) {
      if (pos >= c.in_len) break;
      std::string_view input(c.in.data(), c.in_len);
      ParseAhead(input, pos, limits_, &scratch, &window);
      next = 0;
      if (window.size == 0) {
        HandleUnparsed(c, pos);
        break;
      }
      if (window.size > 1) PrefetchWindow(state_.db(c.session.db), window);
    }
    if (commands == kCommandsPerTurn) {
      // Fairness: one connection's pipeline cannot hold the loop while others wait.
      c.input_backlog = true;
      input_backlog_.push_back(c.id);
      break;
    }
    std::span<const std::string_view> argv = window.argv(next);
    if (!argv.empty() && WaitsForPause(c, argv)) break;  // left in `in` until the pause ends
    pos = window.commands[next++].end;
    if (!argv.empty()) {
      Execute(c, argv);
      ++commands;
    }
  }
  CompactInput(c, pos);
  if (c.in_len - c.in_pos > static_cast<size_t>(config_.query_buffer_bytes_max)) {
    ReplyErrorAndClose(
        c, "ERR Protocol error: query buffer limit exceeded (--client-query-buffer-limit)");
    c.in_len = c.in_pos;  // dropped; a receive in flight still lands past in_pos
  }
  // Large pending output: stop reading this client until its replies drain.
  c.parse_paused = c.out.size() > static_cast<size_t>(config_.output_buffer_bytes_max);
  if (c.session.close_after_reply && !c.has_unsent_replies() && !c.send_armed) StartClose(c);
}

void Server::HandleUnparsed(Conn& c, size_t& pos) {
  std::vector<std::string_view> argv;
  ParseResult r = ParseCommand(std::string_view(c.in.data() + pos, c.in_len - pos), limits_, &argv);
  if (r.status == ParseStatus::kError)
    return ReplyErrorAndClose(c, "ERR Protocol error: " + r.error);
  if (r.needed_bytes > 0 && r.needed_bytes > c.in.size() - pos && !c.recv_armed) {
    // Large bulk: size the buffer once instead of growing it 16 KiB at a time.
    std::string bigger(r.needed_bytes + kRecvChunkBytes, '\0');
    std::memcpy(bigger.data(), c.in.data() + pos, c.in_len - pos);
    c.in.swap(bigger);
    c.in_len -= pos;
    pos = 0;
  }
}

void Server::ReplyErrorAndClose(Conn& c, std::string_view message) {
  RespWriter(&c.out, c.session.protocol_version).Error(message);
  c.session.close_after_reply = true;
  // Like any reply: it leaves after the replies before it, once what they depend on is durable.
  TagReply(c);
}

void Server::SubmitSends() {
  for (uint64_t id : replies_.TakeSendQueue()) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    c.queued_for_send = false;
    if (c.send_armed || c.out_sendable == 0 || c.closing) continue;
    // Hand the durable prefix to the kernel; the rest stays held in `out`.
    replies_.TakeSendable(c, log_->lsn_durable());
    if (c.tls && !EncryptSending(c)) continue;  // waits for the handshake, or closed
    io_uring_sqe* sqe = ring_.Sqe(OpType::kSend, c.id);
    io_uring_prep_send(sqe, c.fd, c.sending.data(), c.sending.size(), MSG_NOSIGNAL);
    c.send_armed = true;
  }
}

bool Server::AdvanceSend(Conn& c, int res) {
  c.send_armed = false;
  if (res < 0) {
    StartClose(c);
    return false;
  }
  ++counters_.writes_processed;
  counters_.net_output_bytes += static_cast<uint64_t>(res);
  c.sending_off += static_cast<size_t>(res);
  if (c.sending_off < c.sending.size() && !c.closing) {
    io_uring_sqe* sqe = ring_.Sqe(OpType::kSend, c.id);
    io_uring_prep_send(sqe, c.fd, c.sending.data() + c.sending_off,
                       c.sending.size() - c.sending_off, MSG_NOSIGNAL);
    c.send_armed = true;
    return false;
  }
  c.sending.clear();
  return !SendTlsOutput(c);  // TLS records that came up meanwhile go on first
}

void Server::OnSend(Conn& c, int res) {
  if (!AdvanceSend(c, res)) return;
  if (c.session.close_after_reply && !c.has_unsent_replies()) return StartClose(c);
  replies_.QueueSend(c);
  if (c.parse_paused && c.out.size() <= static_cast<size_t>(config_.output_buffer_bytes_max) / 2) {
    c.parse_paused = false;
    ResumeInput(c);
  }
}

void Server::StartClose(Conn& c) {
  if (c.closing) return;
  c.closing = true;
  UnwatchAll(c.session);
  pubsub_.RemoveClient(c.id);
  c.session.subscriptions = 0;
  blocked_.Unpark(c);
  // shutdown() completes the recv/send in flight; the buffers live until both have returned.
  ::shutdown(c.fd, SHUT_RDWR);
}

void Server::MaybeFree(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (!c.closing || c.recv_armed || c.send_armed) return;
  replication_->OnClose(id);
  ::close(c.fd);
  conns_.erase(it);
}

}  // namespace strongbox::engine
