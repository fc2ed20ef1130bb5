// The OpenSSL server context of the TLS listener (and the client context of a replica's link),
// built once at start from TlsOptions: certificate chain and key, the CAs client certificates
// are checked against, whether a client certificate is required, protocols, ciphers, session
// resumption. Renegotiation and
// compression are off. Every file or value OpenSSL refuses is an error naming the flag.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "absl/status/statusor.h"
#include "engine/server/tls_options.h"

namespace strongbox::engine {

class TlsContext {
 public:
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(const TlsOptions& options);
  // The replica's side (--tls-replication yes): verifies the primary's chain against the CAs and
  // presents tls-client-cert-file (or tls-cert-file) when one is configured.
  static absl::StatusOr<std::unique_ptr<TlsContext>> CreateClient(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ctx() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  static absl::StatusOr<std::unique_ptr<TlsContext>> CreateShared(const SSL_METHOD* method,
                                                                  const TlsOptions& options);
  SSL_CTX* ctx_;
};

// OpenSSL's error queue as one line (emptied): what a failed call says about why.
std::string TakeOpenSslErrors();

}  // namespace strongbox::engine
