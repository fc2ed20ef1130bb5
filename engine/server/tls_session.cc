// One TLS connection over a pair of memory BIOs (see tls_session.h).
#include "engine/server/tls_session.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/server/tls_context.h"

namespace strongbox::engine {
namespace {

// A TLS record carries at most 16 KiB of plaintext: one record per receive buffer.
constexpr size_t kRecvBufferBytes = 16 * 1024 + 512;
constexpr size_t kPlaintextChunkBytes = 16 * 1024;

BIO* NewMemoryBio() {
  BIO* bio = BIO_new(BIO_s_mem());
  // Empty means "more later" (retry), never end of file: the socket's end is the ring's to see.
  if (bio != nullptr) BIO_set_mem_eof_return(bio, -1);
  return bio;
}

}  // namespace

std::unique_ptr<TlsSession> TlsSession::Create(SSL_CTX* ctx, Role role) {
  SSL* ssl = SSL_new(ctx);
  BIO* in = NewMemoryBio();
  BIO* out = NewMemoryBio();
  if (ssl == nullptr || in == nullptr || out == nullptr) {
    SSL_free(ssl);
    BIO_free(in);
    BIO_free(out);
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_bio(ssl, in, out);
  role == Role::kServer ? SSL_set_accept_state(ssl) : SSL_set_connect_state(ssl);
  return std::unique_ptr<TlsSession>(new TlsSession(ssl, in, out));
}

TlsSession::TlsSession(SSL* ssl, BIO* in, BIO* out)
    : ssl_(ssl), in_(in), out_(out), recv_buffer_(kRecvBufferBytes, '\0') {}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::Received(size_t bytes) { Feed({recv_buffer_.data(), bytes}); }

void TlsSession::Feed(std::string_view ciphertext) {
  // A memory BIO grows to take everything: it fails only when memory does.
  if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

bool TlsSession::RetryLater(int result, const char* what) {
  int err = SSL_get_error(ssl_, result);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return true;
  error_ = absl::StrCat(
      what, ": ", err == SSL_ERROR_SSL ? TakeOpenSslErrors() : absl::StrCat("SSL error ", err));
  ERR_clear_error();
  return false;
}

TlsSession::Status TlsSession::Decrypt(std::string* out, size_t* out_len, bool may_grow) {
  ERR_clear_error();
  for (;;) {
    if (may_grow && out->size() - *out_len < kPlaintextChunkBytes / 2) {
      out->resize(std::max(out->size() * 2, *out_len + kPlaintextChunkBytes));
    }
    if (out->size() == *out_len) break;  // full, may not grow: the rest waits in the session
    size_t got = 0;
    int result = SSL_read_ex(ssl_, out->data() + *out_len, out->size() - *out_len, &got);
    if (result == 1) {
      *out_len += got;
      continue;
    }
    if (SSL_get_error(ssl_, result) == SSL_ERROR_ZERO_RETURN) return Status::kClosed;
    if (!RetryLater(result, handshake_done() ? "TLS record" : "TLS handshake")) {
      return Status::kError;
    }
    break;  // needs more ciphertext
  }
  return FlushPendingPlaintext() ? Status::kOk : Status::kError;
}

bool TlsSession::has_buffered_input() const {
  return SSL_pending(ssl_) > 0 || BIO_ctrl_pending(in_) > 0;
}

bool TlsSession::Encrypt(std::string_view plaintext) {
  pending_plaintext_.append(plaintext);
  return FlushPendingPlaintext();
}

bool TlsSession::FlushPendingPlaintext() {
  if (pending_plaintext_.empty() || !handshake_done()) return true;
  ERR_clear_error();
  size_t written = 0;
  // Without SSL_MODE_ENABLE_PARTIAL_WRITE, and into a memory BIO, a write is all or nothing.
  int result = SSL_write_ex(ssl_, pending_plaintext_.data(), pending_plaintext_.size(), &written);
  if (result == 1) {
    pending_plaintext_.clear();
    return true;
  }
  return RetryLater(result, "TLS write");
}

bool TlsSession::StartHandshake() {
  ERR_clear_error();
  int result = SSL_do_handshake(ssl_);
  return result == 1 || RetryLater(result, "TLS handshake");
}

bool TlsSession::has_output() const { return BIO_ctrl_pending(out_) > 0; }

void TlsSession::TakeOutput(std::string* out) {
  size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  size_t at = out->size();
  out->resize(at + pending);
  int read = BIO_read(out_, out->data() + at, static_cast<int>(pending));
  out->resize(at + static_cast<size_t>(std::max(read, 0)));
}

bool TlsSession::handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

std::string_view TlsSession::protocol() const { return SSL_get_version(ssl_); }

std::string_view TlsSession::cipher() const {
  const char* name = SSL_get_cipher_name(ssl_);
  return name == nullptr ? "" : name;
}

}  // namespace strongbox::engine
