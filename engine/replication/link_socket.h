// The replica link's connection to its primary: TCP, or TLS over it (--tls-replication yes).
// The socket is non-blocking and every wait polls it together with the link's wake eventfd, so
// a stop request ends a connect, a handshake, a send or a receive at once (REPLICAOF answers
// without waiting for a primary that never answers). TLS runs an SSL over the socket with
// OpenSSL's retry protocol (WANT_READ / WANT_WRITE turn into the same polls).
#pragma once

#include <openssl/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strongbox::engine::replication {

class LinkSocket {
 public:
  // `tls_ctx`: a client context (not owned; nullptr: plain TCP). `wake_fd`: an eventfd the owner
  // writes to be heard (drained here: the owner compares its own state after a wait). `stop`:
  // read after every wake; true ends the current operation with CancelledError.
  LinkSocket(SSL_CTX* tls_ctx, int wake_fd, const std::atomic<bool>& stop);
  ~LinkSocket() { Close(); }
  LinkSocket(const LinkSocket&) = delete;
  LinkSocket& operator=(const LinkSocket&) = delete;

  // Connects to host:port and, with TLS, completes the handshake (the primary's certificate
  // verified). Errors name the address and the reason (refused, timeout, verify failure...).
  absl::Status Connect(const std::string& host, int port, int64_t timeout_ms);
  // Sends every byte, waiting (for the primary to read) at most timeout_ms in all.
  absl::Status SendAll(std::string_view bytes, int64_t timeout_ms);
  // Waits up to wait_ms for bytes and appends what arrived to *out (nothing when the wait ended
  // first, or was woken). Errors: the primary closed, a socket or TLS failure, stopped.
  absl::Status Receive(std::string* out, int wait_ms);
  void Close();

 private:
  enum class Polled { kReady, kWoken, kTimedOut };
  // One poll of the socket for `events` and of the wake fd, until deadline_ms (wall clock);
  // Cancelled when a stop is requested.
  absl::StatusOr<Polled> PollOnce(short events, int64_t deadline_ms);
  // Polls until the socket is ready (OK), the deadline passes (DeadlineExceeded) or a stop is
  // requested (Cancelled).
  absl::Status WaitFor(short events, int64_t deadline_ms);
  absl::Status ConnectTcp(const std::string& host, int port, int64_t deadline_ms);
  absl::Status Handshake(int64_t deadline_ms);
  // After an SSL call returned `result` <= 0: waits as OpenSSL asks (OK: call it again) or says
  // why the connection failed.
  absl::Status RetryTls(int result, const char* what, int64_t deadline_ms);
  std::string TlsFailure(const char* what);

  SSL_CTX* tls_ctx_;
  int wake_fd_;
  const std::atomic<bool>& stop_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string peer_;  // host:port, for the errors
};

}  // namespace strongbox::engine::replication
