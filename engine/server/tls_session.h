// One TLS connection driven without touching its socket: ciphertext the ring received is fed
// into a memory BIO and plaintext is read out of it; plaintext replies are encrypted into a
// second memory BIO whose bytes the ring sends. The handshake happens inside Decrypt (a server
// answers the ClientHello there), so the io_uring loop keeps doing all the I/O.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace strongbox::engine {

class TlsSession {
 public:
  enum class Role { kServer, kClient };  // a client only in tests
  enum class Status { kOk, kClosed, kError };

  // nullptr if OpenSSL cannot allocate the session.
  static std::unique_ptr<TlsSession> Create(SSL_CTX* ctx, Role role);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Where the next receive lands: stable for the session's life.
  std::span<char> recv_buffer() { return {recv_buffer_.data(), recv_buffer_.size()}; }
  // The first `bytes` of recv_buffer() arrived: feeds them in (decrypted by Decrypt).
  void Received(size_t bytes);
  // Feeds ciphertext from elsewhere (tests).
  void Feed(std::string_view ciphertext);

  // Decrypts what was fed into out[*out_len...), advancing *out_len; grows `out` when may_grow,
  // else stops when it is full (has_buffered_input() then says more is waiting). Drives the
  // handshake; its replies wait in the output (has_output()). kClosed: the peer sent
  // close_notify; kError: the handshake or a record failed (error() says why).
  Status Decrypt(std::string* out, size_t* out_len, bool may_grow);
  // Input fed or decrypted but not yet handed out by Decrypt.
  bool has_buffered_input() const;

  // Encrypts plaintext into the output; before the handshake is done it waits (in order) and
  // goes out once Decrypt has completed it. False on a TLS error (error() says why).
  bool Encrypt(std::string_view plaintext);
  // Starts a client's handshake (the ClientHello goes to the output).
  bool StartHandshake();
  bool has_output() const;
  // Appends every ciphertext byte waiting to be sent to *out.
  void TakeOutput(std::string* out);

  bool handshake_done() const;
  const std::string& error() const { return error_; }
  // After the handshake: "TLSv1.3", the cipher suite name.
  std::string_view protocol() const;
  std::string_view cipher() const;

 private:
  TlsSession(SSL* ssl, BIO* in, BIO* out);
  // SSL_read/SSL_write/SSL_do_handshake result -> retry later (true) or failure (false, error_).
  bool RetryLater(int result, const char* what);
  bool FlushPendingPlaintext();

  SSL* ssl_;
  BIO* in_;   // ciphertext from the peer (owned by ssl_)
  BIO* out_;  // ciphertext to the peer (owned by ssl_)
  std::string recv_buffer_;
  std::string pending_plaintext_;  // written before the handshake completed
  std::string error_;
};

}  // namespace strongbox::engine
