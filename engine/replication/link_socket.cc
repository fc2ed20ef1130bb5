// LinkSocket: the replica link's interruptible TCP/TLS connection (see link_socket.h).
#include "engine/replication/link_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace strongbox::engine::replication {

namespace {

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

LinkSocket::LinkSocket(SSL_CTX* tls_ctx, int wake_fd, const std::atomic<bool>& stop)
    : tls_ctx_(tls_ctx), wake_fd_(wake_fd), stop_(stop) {}

void LinkSocket::Close() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);  // no close_notify: the connection is dropped, not ended by agreement
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

absl::StatusOr<LinkSocket::Polled> LinkSocket::PollOnce(short events, int64_t deadline_ms) {
  if (stop_.load()) return absl::CancelledError("stopped");
  int64_t wait_ms = std::max<int64_t>(0, deadline_ms - MonotonicMs());
  pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
  int rc = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(wait_ms, 60'000)));
  if (rc < 0 && errno != EINTR)
    return absl::UnavailableError(absl::StrCat("poll: ", strerror(errno)));
  if (fds[1].revents & POLLIN) {
    uint64_t count;
    (void)!::read(wake_fd_, &count, sizeof(count));
  }
  if (stop_.load()) return absl::CancelledError("stopped");
  // An error or hang-up is "ready": the next call on the socket reports it.
  if (rc > 0 && (fds[0].revents & (events | POLLHUP | POLLERR))) return Polled::kReady;
  if (fds[1].revents & POLLIN) return Polled::kWoken;
  return MonotonicMs() >= deadline_ms ? Polled::kTimedOut : Polled::kWoken;
}

absl::Status LinkSocket::WaitFor(short events, int64_t deadline_ms) {
  while (true) {
    auto polled = PollOnce(events, deadline_ms);
    if (!polled.ok()) return polled.status();
    if (*polled == Polled::kReady) return absl::OkStatus();
    if (*polled == Polled::kTimedOut) {
      return absl::DeadlineExceededError(absl::StrCat("no answer from ", peer_, " in time"));
    }
  }
}

absl::Status LinkSocket::Connect(const std::string& host, int port, int64_t timeout_ms) {
  Close();
  peer_ = absl::StrCat(host, ":", port);
  int64_t deadline_ms = MonotonicMs() + timeout_ms;
  if (auto s = ConnectTcp(host, port, deadline_ms); !s.ok()) return s;
  if (tls_ctx_ == nullptr) return absl::OkStatus();
  return Handshake(deadline_ms);
}

absl::Status LinkSocket::ConnectTcp(const std::string& host, int port, int64_t deadline_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = absl::StrCat(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  absl::Status status = absl::UnavailableError("no address");
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd_ < 0) {
      status = absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
      continue;
    }
    status = absl::OkStatus();
    int err = ::connect(fd_, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      status = WaitFor(POLLOUT, deadline_ms);
      socklen_t len = sizeof(err);
      if (status.ok()) ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err == 0 && status.ok()) break;
    if (err != EINPROGRESS) {
      status = absl::UnavailableError(absl::StrCat("connect to ", peer_, ": ", strerror(err)));
    }
    Close();
    if (absl::IsCancelled(status)) break;
  }
  ::freeaddrinfo(res);
  if (!status.ok()) return status;
  int yes = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  return absl::OkStatus();
}

absl::Status LinkSocket::Handshake(int64_t deadline_ms) {
  ERR_clear_error();
  ssl_ = SSL_new(tls_ctx_);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    return absl::InternalError(TlsFailure("SSL_new"));
  }
  while (true) {
    int rc = SSL_connect(ssl_);
    if (rc == 1) return absl::OkStatus();
    if (auto s = RetryTls(rc, "TLS handshake", deadline_ms); !s.ok()) return s;
  }
}

absl::Status LinkSocket::RetryTls(int result, const char* what, int64_t deadline_ms) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return WaitFor(POLLIN, deadline_ms);
    case SSL_ERROR_WANT_WRITE:
      return WaitFor(POLLOUT, deadline_ms);
    case SSL_ERROR_ZERO_RETURN:
      return absl::UnavailableError("the primary closed the TLS connection");
    default:
      return absl::UnavailableError(TlsFailure(what));
  }
}

// Why a TLS call failed, most specific first: the certificate check of the primary, then
// OpenSSL's reason (an alert from the primary: "tlsv13 alert certificate required"), then the
// socket's.
std::string LinkSocket::TlsFailure(const char* what) {
  std::string why;
  long verify = ssl_ != nullptr ? SSL_get_verify_result(ssl_) : X509_V_OK;
  if (verify != X509_V_OK) {
    why = absl::StrCat("certificate verify failed: ", X509_verify_cert_error_string(verify));
  } else if (unsigned long e = ERR_peek_last_error(); e != 0) {
    const char* reason = ERR_reason_error_string(e);
    why = reason != nullptr ? reason : absl::StrCat("OpenSSL error ", e);
  } else {
    why = errno != 0 ? strerror(errno) : "the connection ended";
  }
  ERR_clear_error();
  return absl::StrCat(what, " with ", peer_, " failed: ", why);
}

absl::Status LinkSocket::SendAll(std::string_view bytes, int64_t timeout_ms) {
  int64_t deadline_ms = MonotonicMs() + timeout_ms;
  size_t off = 0;
  while (off < bytes.size()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int n = SSL_write(ssl_, bytes.data() + off, static_cast<int>(bytes.size() - off));
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (auto s = RetryTls(n, "TLS write", deadline_ms); !s.ok()) {
        return s;
      }
      continue;
    }
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (auto s = WaitFor(POLLOUT, deadline_ms); !s.ok()) return s;
    } else {
      return absl::UnavailableError(absl::StrCat("send to ", peer_, ": ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status LinkSocket::Receive(std::string* out, int wait_ms) {
  char tmp[64 * 1024];
  // Decrypted bytes OpenSSL already holds are not on the socket: no poll for them.
  if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
    auto polled = PollOnce(POLLIN, MonotonicMs() + wait_ms);
    if (!polled.ok()) return polled.status();
    if (*polled != Polled::kReady) return absl::OkStatus();
  }
  if (ssl_ != nullptr) {
    ERR_clear_error();
    int n = SSL_read(ssl_, tmp, sizeof(tmp));
    if (n > 0) {
      out->append(tmp, static_cast<size_t>(n));
      return absl::OkStatus();
    }
    // WANT_READ: a partial record, or a post-handshake message (session tickets) — no data yet.
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) return absl::OkStatus();
    return RetryTls(n, "TLS read", MonotonicMs() + wait_ms);
  }
  ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
  if (n > 0) {
    out->append(tmp, static_cast<size_t>(n));
    return absl::OkStatus();
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return absl::OkStatus();
  if (n == 0) return absl::UnavailableError("the primary closed the connection");
  return absl::UnavailableError(absl::StrCat("recv: ", strerror(errno)));
}

}  // namespace strongbox::engine::replication
