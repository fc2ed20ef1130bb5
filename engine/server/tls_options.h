// TLS settings as redis.conf names them (tls-port, tls-cert-file, ...): the flags that set them,
// their checks at start, and their CONFIG GET rows. The OpenSSL context built from them is
// tls_context.h's.
#pragma once

#include <span>
#include <string>

#include "absl/status/status.h"

namespace CLI {
class App;
}

namespace strongbox::engine {

class ConfigRegistry;

struct TlsOptions {
  int port = 0;  // 0: no TLS listener
  std::string cert_file;
  std::string key_file;
  std::string key_file_pass;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  std::string auth_clients = "yes";  // yes | no | optional (a certificate checked if given)
  std::string protocols;             // "TLSv1.2 TLSv1.3"; empty: those two
  std::string ciphers;               // TLSv1.2 and below (OpenSSL cipher list); empty: default
  std::string ciphersuites;          // TLSv1.3; empty: OpenSSL's default
  std::string prefer_server_ciphers = "no";
  std::string session_caching = "yes";
  // The replica's link to its primary: TLS when "yes", verifying the primary against the CAs
  // above and presenting client_cert_file/key (empty: cert_file/key, as Redis does).
  std::string replication = "no";
  std::string client_cert_file;
  std::string client_key_file;
  std::string client_key_file_pass;

  bool enabled() const { return port != 0; }
};

// The settings other than tls-port, all text: "--tls-cert-file" sets TlsOptions::cert_file (the
// redis.conf directive and CONFIG name are the flag without its dashes).
struct TlsTextFlag {
  const char* flag;
  std::string TlsOptions::*field;
  const char* help;
};
std::span<const TlsTextFlag> TlsTextFlags();

void AddTlsFlags(CLI::App& app, TlsOptions* tls);
// The checks that need no OpenSSL: ranges, enumerations, files given together. Whether the
// files load is for TlsContext::Create to say.
absl::Status ValidateTlsOptions(const TlsOptions& tls);
// CONFIG GET tls-*: fixed while running (the context is built once at start).
void AddTlsConfigParams(ConfigRegistry& registry, const TlsOptions& tls);

}  // namespace strongbox::engine
