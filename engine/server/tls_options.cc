// TLS flags, their start-up checks and CONFIG GET rows (see tls_options.h).
#include "engine/server/tls_options.h"

#include <CLI/CLI.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/server/config_registry.h"

namespace strongbox::engine {

namespace {

constexpr TlsTextFlag kTextFlags[] = {
    {"--tls-cert-file", &TlsOptions::cert_file, "Server certificate chain (PEM)"},
    {"--tls-key-file", &TlsOptions::key_file, "Server private key (PEM)"},
    {"--tls-key-file-pass", &TlsOptions::key_file_pass, "Passphrase of --tls-key-file"},
    {"--tls-ca-cert-file", &TlsOptions::ca_cert_file, "CA certificates for client certificates"},
    {"--tls-ca-cert-dir", &TlsOptions::ca_cert_dir, "Directory of CA certificates (c_rehash)"},
    {"--tls-auth-clients", &TlsOptions::auth_clients,
     "yes: clients must present a certificate; optional: checked if given; no"},
    {"--tls-protocols", &TlsOptions::protocols, "e.g. \"TLSv1.2 TLSv1.3\" (the default)"},
    {"--tls-ciphers", &TlsOptions::ciphers, "TLSv1.2 cipher list (OpenSSL syntax)"},
    {"--tls-ciphersuites", &TlsOptions::ciphersuites, "TLSv1.3 cipher suites (OpenSSL syntax)"},
    {"--tls-prefer-server-ciphers", &TlsOptions::prefer_server_ciphers,
     "yes: the server's cipher order wins"},
    {"--tls-session-caching", &TlsOptions::session_caching,
     "yes: resumable sessions (session cache and tickets)"},
    {"--tls-replication", &TlsOptions::replication,
     "yes: a replica connects to its primary with TLS"},
    {"--tls-client-cert-file", &TlsOptions::client_cert_file,
     "Certificate a replica presents to its primary (default: --tls-cert-file)"},
    {"--tls-client-key-file", &TlsOptions::client_key_file,
     "Key of --tls-client-cert-file (default: --tls-key-file)"},
    {"--tls-client-key-file-pass", &TlsOptions::client_key_file_pass,
     "Passphrase of --tls-client-key-file"},
};

// Each flag reads STRONGBOX_ plus its name in upper case (--tls-cert-file:
// STRONGBOX_TLS_CERT_FILE).
std::string EnvName(std::string_view flag) {
  std::string env = "STRONGBOX_" + std::string(flag.substr(2));
  for (char& ch : env) ch = ch == '-' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(ch));
  return env;
}

}  // namespace

std::span<const TlsTextFlag> TlsTextFlags() { return kTextFlags; }

void AddTlsFlags(CLI::App& app, TlsOptions* t) {
  app.add_option("--tls-port", t->port, "TLS RESP port (0 = no TLS listener)")
      ->envname(EnvName("--tls-port"));
  for (const TlsTextFlag& f : kTextFlags) {
    app.add_option(f.flag, t->*f.field, f.help)->envname(EnvName(f.flag));
  }
}

absl::Status ValidateTlsOptions(const TlsOptions& t) {
  auto bad = [](absl::string_view flag, absl::string_view fix) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", flag, ": ", fix));
  };
  if (t.port < 0 || t.port > 65535) return bad("--tls-port", "use 1..65535, or 0 for none");
  auto yes_no = [](const std::string& v) { return v == "yes" || v == "no"; };
  if (!yes_no(t.auth_clients) && t.auth_clients != "optional") {
    return bad("--tls-auth-clients", "use yes, no or optional");
  }
  if (!yes_no(t.prefer_server_ciphers)) return bad("--tls-prefer-server-ciphers", "use yes or no");
  if (!yes_no(t.session_caching)) return bad("--tls-session-caching", "use yes or no");
  if (!yes_no(t.replication)) return bad("--tls-replication", "use yes or no");
  if (t.client_cert_file.empty() != t.client_key_file.empty()) {
    return bad("--tls-client-cert-file", "give --tls-client-key-file with it");
  }
  if (t.replication == "yes" && t.ca_cert_file.empty() && t.ca_cert_dir.empty()) {
    return bad("--tls-ca-cert-file",
               "checking the primary's certificate (--tls-replication yes) needs "
               "--tls-ca-cert-file or --tls-ca-cert-dir");
  }
  if (!t.enabled()) return absl::OkStatus();
  if (t.cert_file.empty()) return bad("--tls-cert-file", "--tls-port needs a certificate");
  if (t.key_file.empty()) return bad("--tls-key-file", "--tls-port needs the certificate's key");
  if (t.auth_clients != "no" && t.ca_cert_file.empty() && t.ca_cert_dir.empty()) {
    return bad("--tls-ca-cert-file",
               "checking client certificates (--tls-auth-clients yes|optional) needs "
               "--tls-ca-cert-file or --tls-ca-cert-dir");
  }
  return absl::OkStatus();
}

void AddTlsConfigParams(ConfigRegistry& registry, const TlsOptions& t) {
  const TlsOptions defaults;
  ConfigParam port;
  port.name = "tls-port";
  port.type = ConfigType::kInt;
  port.get = [&t] { return std::to_string(t.port); };
  port.default_value = std::to_string(defaults.port);
  registry.Add(std::move(port));
  // CONFIG names are the flags without their dashes, as in redis.conf.
  for (const TlsTextFlag& f : kTextFlags) {
    ConfigParam p;
    p.name = std::string(f.flag + 2);
    p.get = [value = &(t.*f.field)] { return *value; };
    p.default_value = defaults.*f.field;
    registry.Add(std::move(p));
  }
}

}  // namespace strongbox::engine
