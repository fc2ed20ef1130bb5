// The TLS listener's SSL_CTX (see tls_context.h).
#include "engine/server/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace strongbox::engine {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", flag, ": ", why));
}

// OpenSSL's own message for a missing file is "system library"; say which file and why first.
absl::Status CheckReadable(absl::string_view flag, const std::string& path) {
  if (::access(path.c_str(), R_OK) == 0) return absl::OkStatus();
  return Bad(flag, absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
}

// "TLSv1.2 TLSv1.3" -> the SSL_OP_NO_* options that leave only those enabled.
absl::Status ApplyProtocols(SSL_CTX* ctx, const std::string& protocols) {
  struct Version {
    std::string_view name;
    uint64_t disable;
  };
  static constexpr Version kVersions[] = {{"tlsv1", SSL_OP_NO_TLSv1},
                                          {"tlsv1.1", SSL_OP_NO_TLSv1_1},
                                          {"tlsv1.2", SSL_OP_NO_TLSv1_2},
                                          {"tlsv1.3", SSL_OP_NO_TLSv1_3}};
  std::string wanted = protocols.empty() ? "TLSv1.2 TLSv1.3" : protocols;
  std::vector<std::string> names = absl::StrSplit(wanted, ' ', absl::SkipWhitespace());
  uint64_t disable = 0;
  for (const Version& v : kVersions) disable |= v.disable;
  for (std::string& name : names) {
    absl::AsciiStrToLower(&name);
    bool known = false;
    for (const Version& v : kVersions) {
      if (v.name == name) {
        disable &= ~v.disable;
        known = true;
      }
    }
    if (!known) return Bad("--tls-protocols", absl::StrCat("unknown protocol '", name, "'"));
  }
  SSL_CTX_set_options(ctx, disable);
  return absl::OkStatus();
}

// A certificate chain with its key, and the flags that named them (for the errors).
struct Identity {
  const std::string& cert_file;
  const std::string& key_file;
  const std::string& key_file_pass;
  absl::string_view cert_flag;
  absl::string_view key_flag;
  absl::string_view pass_flag;
};

Identity ServerIdentity(const TlsOptions& t) {
  return {t.cert_file,       t.key_file,       t.key_file_pass,
          "--tls-cert-file", "--tls-key-file", "--tls-key-file-pass"};
}

// Redis's rule: a replica presents tls-client-cert-file when given, else the server's own.
Identity ClientIdentity(const TlsOptions& t) {
  if (t.client_cert_file.empty()) return ServerIdentity(t);
  return {t.client_cert_file,       t.client_key_file,       t.client_key_file_pass,
          "--tls-client-cert-file", "--tls-client-key-file", "--tls-client-key-file-pass"};
}

absl::Status LoadIdentity(SSL_CTX* ctx, const Identity& id) {
  if (auto s = CheckReadable(id.cert_flag, id.cert_file); !s.ok()) return s;
  if (auto s = CheckReadable(id.key_flag, id.key_file); !s.ok()) return s;
  if (SSL_CTX_use_certificate_chain_file(ctx, id.cert_file.c_str()) != 1) {
    return Bad(id.cert_flag, absl::StrCat(id.cert_file, ": ", TakeOpenSslErrors()));
  }
  // OpenSSL's default passphrase callback reads the user data as the passphrase.
  std::string pass = id.key_file_pass;
  SSL_CTX_set_default_passwd_cb_userdata(ctx, pass.data());
  int loaded = SSL_CTX_use_PrivateKey_file(ctx, id.key_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (loaded != 1) {
    return Bad(id.key_flag, absl::StrCat(id.key_file, ": ", TakeOpenSslErrors(),
                                         " (encrypted? give ", id.pass_flag, ")"));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Bad(id.key_flag,
               absl::StrCat("does not match ", id.cert_flag, ": ", TakeOpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::Status LoadCas(SSL_CTX* ctx, const TlsOptions& t) {
  if (t.ca_cert_file.empty() && t.ca_cert_dir.empty()) return absl::OkStatus();
  if (!t.ca_cert_file.empty()) {
    if (auto s = CheckReadable("--tls-ca-cert-file", t.ca_cert_file); !s.ok()) return s;
  }
  if (!t.ca_cert_dir.empty()) {
    if (auto s = CheckReadable("--tls-ca-cert-dir", t.ca_cert_dir); !s.ok()) return s;
  }
  const char* file = t.ca_cert_file.empty() ? nullptr : t.ca_cert_file.c_str();
  const char* dir = t.ca_cert_dir.empty() ? nullptr : t.ca_cert_dir.c_str();
  if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
    return Bad(file ? "--tls-ca-cert-file" : "--tls-ca-cert-dir", TakeOpenSslErrors());
  }
  return absl::OkStatus();
}

absl::Status ApplyCiphers(SSL_CTX* ctx, const TlsOptions& t) {
  if (!t.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, t.ciphers.c_str()) != 1) {
    return Bad("--tls-ciphers", absl::StrCat("OpenSSL accepts no cipher of '", t.ciphers,
                                             "': ", TakeOpenSslErrors()));
  }
  if (!t.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, t.ciphersuites.c_str()) != 1) {
    return Bad("--tls-ciphersuites", absl::StrCat("OpenSSL accepts no suite of '", t.ciphersuites,
                                                  "': ", TakeOpenSslErrors()));
  }
  if (t.prefer_server_ciphers == "yes") SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  return absl::OkStatus();
}

void ApplySessionCaching(SSL_CTX* ctx, const TlsOptions& t) {
  if (t.session_caching == "yes") {
    static constexpr unsigned char kSessionContext[] = "strongbox";
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
  }
}

int VerifyMode(const std::string& auth_clients) {
  if (auth_clients == "no") return SSL_VERIFY_NONE;
  if (auth_clients == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

}  // namespace

std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buf);
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// What both sides share: protocols, the CAs the peer is checked against, ciphers.
absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateShared(const SSL_METHOD* method,
                                                                     const TlsOptions& t) {
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(method);
  if (raw == nullptr) return absl::InternalError("SSL_CTX_new: " + TakeOpenSslErrors());
  std::unique_ptr<TlsContext> context(new TlsContext(raw));
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (auto s = ApplyProtocols(raw, t.protocols); !s.ok()) return s;
  if (auto s = LoadCas(raw, t); !s.ok()) return s;
  if (auto s = ApplyCiphers(raw, t); !s.ok()) return s;
  return context;
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& t) {
  auto context = CreateShared(TLS_server_method(), t);
  if (!context.ok()) return context;
  SSL_CTX* raw = (*context)->ctx();
  // An idle connection gives its record buffers back (thousands of clients, few busy).
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_dh_auto(raw, 1);
  if (auto s = LoadIdentity(raw, ServerIdentity(t)); !s.ok()) return s;
  ApplySessionCaching(raw, t);
  SSL_CTX_set_verify(raw, VerifyMode(t.auth_clients), nullptr);
  return context;
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateClient(const TlsOptions& t) {
  auto context = CreateShared(TLS_client_method(), t);
  if (!context.ok()) return context;
  Identity id = ClientIdentity(t);
  // No certificate configured: the link offers none (a primary with tls-auth-clients no).
  if (!id.cert_file.empty()) {
    if (auto s = LoadIdentity((*context)->ctx(), id); !s.ok()) return s;
  }
  // The primary's chain is checked against the CAs; like Redis, not its host name.
  SSL_CTX_set_verify((*context)->ctx(), SSL_VERIFY_PEER, nullptr);
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace strongbox::engine
