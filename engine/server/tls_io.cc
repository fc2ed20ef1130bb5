// The TLS port on the io_uring loop: the same accept, recv and send as a plain connection
// (connection_io.cc), with a TlsSession between the socket and the connection's buffers.
// Receives land in the session's buffer and are decrypted into Conn::in; what SubmitSends
// released (the gate's durable prefix, nothing more) is encrypted into Conn::sending. A failed
// handshake or a bad record closes that connection with a log line.
#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {

absl::Status Server::ListenTls() {
  if (!config_.tls.enabled()) return absl::OkStatus();
  auto context = TlsContext::Create(config_.tls);
  if (!context.ok()) return context.status();
  tls_ = std::move(*context);
  auto fd = ListenOn(config_.tls.port, "--tls-port");
  if (!fd.ok()) return fd.status();
  tls_listen_fd_ = *fd;
  return absl::OkStatus();
}

bool Server::AttachTls(Conn& c) {
  c.tls = TlsSession::Create(tls_->ctx(), TlsSession::Role::kServer);
  if (c.tls) return true;
  LogLine(absl::StrCat("TLS: no session for ", c.session.address, " (out of memory?)"));
  ::close(c.fd);
  return false;
}

void Server::ArmTlsRecv(Conn& c) {
  if (c.tls->has_buffered_input() && !c.session.close_after_reply) {
    // Input received while a script ran on this connection, or left when its buffer was full:
    // it is decrypted now and runs next turn, before anything more is received.
    if (TakeReceived(c, 0, /*decrypt=*/true)) return ResumeFromBacklog(c);
    // Closed through the ring, which frees it: the receive below ends at once, and OnRecv
    // closes (callers of ArmRecv still hold c).
    ::shutdown(c.fd, SHUT_RDWR);
  }
  std::span<char> buffer = c.tls->recv_buffer();
  io_uring_sqe* sqe = ring_.Sqe(OpType::kRecv, c.id);
  io_uring_prep_recv(sqe, c.fd, buffer.data(), buffer.size(), 0);
  c.recv_armed = true;
}

bool Server::TakeReceived(Conn& c, size_t bytes, bool decrypt) {
  if (!c.tls) {
    c.in_len += bytes;
    return true;
  }
  // Its input is not read any more (as a plain one's); a failed session reads nothing again.
  if (c.session.close_after_reply) return true;
  c.tls->Received(bytes);
  if (!decrypt) return true;
  TlsSession::Status status = c.tls->Decrypt(&c.in, &c.in_len, /*may_grow=*/true);
  if (status == TlsSession::Status::kClosed) return false;
  if (status == TlsSession::Status::kError) {
    LogLine(absl::StrCat("TLS: closing ", c.session.address, ": ", c.tls->error()));
    // The alert tells the client why ("certificate required"), then the close.
    c.session.close_after_reply = true;
    return SendTlsOutput(c);
  }
  SendTlsOutput(c);  // the handshake's answer, session tickets
  return true;
}

bool Server::EncryptSending(Conn& c) {
  std::string plaintext;
  plaintext.swap(c.sending);
  if (!c.tls->Encrypt(plaintext)) {
    LogLine(absl::StrCat("TLS: closing ", c.session.address, ": ", c.tls->error()));
    StartClose(c);
    return false;
  }
  c.tls->TakeOutput(&c.sending);
  return !c.sending.empty();
}

bool Server::SendTlsOutput(Conn& c) {
  if (!c.tls || c.send_armed || c.closing || !c.tls->has_output()) return false;
  c.sending.clear();
  c.sending_off = 0;
  c.tls->TakeOutput(&c.sending);
  io_uring_sqe* sqe = ring_.Sqe(OpType::kSend, c.id);
  io_uring_prep_send(sqe, c.fd, c.sending.data(), c.sending.size(), MSG_NOSIGNAL);
  c.send_armed = true;
  return true;
}

}  // namespace strongbox::engine
