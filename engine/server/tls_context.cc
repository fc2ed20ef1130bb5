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

absl::Status LoadIdentity(SSL_CTX* ctx, const TlsOptions& t) {
  if (auto s = CheckReadable("--tls-cert-file", t.cert_file); !s.ok()) return s;
  if (auto s = CheckReadable("--tls-key-file", t.key_file); !s.ok()) return s;
  if (SSL_CTX_use_certificate_chain_file(ctx, t.cert_file.c_str()) != 1) {
    return Bad("--tls-cert-file", absl::StrCat(t.cert_file, ": ", TakeOpenSslErrors()));
  }
  // OpenSSL's default passphrase callback reads the user data as the passphrase.
  std::string pass = t.key_file_pass;
  SSL_CTX_set_default_passwd_cb_userdata(ctx, pass.data());
  int loaded = SSL_CTX_use_PrivateKey_file(ctx, t.key_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (loaded != 1) {
    return Bad("--tls-key-file", absl::StrCat(t.key_file, ": ", TakeOpenSslErrors(),
                                              " (encrypted? give --tls-key-file-pass)"));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Bad("--tls-key-file",
               absl::StrCat("does not match --tls-cert-file: ", TakeOpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::Status LoadClientCas(SSL_CTX* ctx, const TlsOptions& t) {
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

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& t) {
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return absl::InternalError("SSL_CTX_new: " + TakeOpenSslErrors());
  std::unique_ptr<TlsContext> context(new TlsContext(raw));
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // An idle connection gives its record buffers back (thousands of clients, few busy).
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_dh_auto(raw, 1);
  if (auto s = ApplyProtocols(raw, t.protocols); !s.ok()) return s;
  if (auto s = LoadIdentity(raw, t); !s.ok()) return s;
  if (auto s = LoadClientCas(raw, t); !s.ok()) return s;
  if (auto s = ApplyCiphers(raw, t); !s.ok()) return s;
  ApplySessionCaching(raw, t);
  SSL_CTX_set_verify(raw, VerifyMode(t.auth_clients), nullptr);
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace strongbox::engine
