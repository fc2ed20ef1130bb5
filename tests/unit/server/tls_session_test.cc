// The TLS session layer without sockets: a server session (its context built from files by
// TlsContext) and a client session hand each other their ciphertext in memory. Handshake,
// replies written before it completes, mutual TLS, garbage, a full input buffer, and the
// start-up errors of the context.
#include "engine/server/tls_session.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "engine/server/tls_context.h"

namespace strongbox::engine {
namespace {

// A P-256 key and a self-signed certificate for it: each identity is its own CA.
struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;

  explicit Identity(const char* common_name) {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
  }
  ~Identity() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  // Writes cert.pem and key.pem under dir; returns dir + "/" + prefix.
  std::string Write(const std::string& dir, const std::string& prefix) const {
    std::string base = dir + "/" + prefix;
    FILE* f = std::fopen((base + "-cert.pem").c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen((base + "-key.pem").c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    return base;
  }
};

std::string TempDir() {
  char tmpl[] = "/tmp/strongbox-tls-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

// The server's identity on disk and the options that name it.
struct ServerFiles {
  Identity server{"server"};
  Identity client_ca{"client"};  // the client's self-signed certificate is the CA trusted
  std::string dir = TempDir();
  TlsOptions options;

  ServerFiles() {
    std::string base = server.Write(dir, "server");
    options.port = 6380;
    options.cert_file = base + "-cert.pem";
    options.key_file = base + "-key.pem";
    options.ca_cert_file = client_ca.Write(dir, "client") + "-cert.pem";
    options.auth_clients = "no";
  }
};

// A client context that trusts `server` and, if given, presents `identity`.
std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ClientContext(const Identity& server,
                                                                const Identity* identity) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), server.cert);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (identity != nullptr) {
    SSL_CTX_use_certificate(ctx.get(), identity->cert);
    SSL_CTX_use_PrivateKey(ctx.get(), identity->key);
  }
  return ctx;
}

// Plaintext a session decrypted so far.
struct Peer {
  std::unique_ptr<TlsSession> session;
  std::string in;
  size_t in_len = 0;
  TlsSession::Status last = TlsSession::Status::kOk;

  std::string_view received() const { return {in.data(), in_len}; }
};

// Moves ciphertext both ways until neither side has any left; returns after a failure too.
void Pump(Peer& client, Peer& server) {
  for (int round = 0; round < 20; ++round) {
    std::string bytes;
    client.session->TakeOutput(&bytes);
    server.session->Feed(bytes);
    server.last = server.session->Decrypt(&server.in, &server.in_len, true);
    std::string back;
    server.session->TakeOutput(&back);
    client.session->Feed(back);
    client.last = client.session->Decrypt(&client.in, &client.in_len, true);
    if (bytes.empty() && back.empty() && !client.session->has_output()) return;
    if (server.last != TlsSession::Status::kOk || client.last != TlsSession::Status::kOk) return;
  }
}

struct Pair {
  Peer client, server;

  Pair(SSL_CTX* server_ctx, SSL_CTX* client_ctx) {
    server.session = TlsSession::Create(server_ctx, TlsSession::Role::kServer);
    client.session = TlsSession::Create(client_ctx, TlsSession::Role::kClient);
    REQUIRE(server.session);
    REQUIRE(client.session);
    REQUIRE(client.session->StartHandshake());
    Pump(client, server);
  }
};

std::unique_ptr<TlsContext> Context(const TlsOptions& options) {
  auto context = TlsContext::Create(options);
  REQUIRE(context.ok());
  return std::move(*context);
}

// The server of ServerFiles (no client certificate asked) and a client context without one.
struct Parties {
  ServerFiles files;
  std::unique_ptr<TlsContext> context = Context(files.options);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_ctx =
      ClientContext(files.server, nullptr);
};

// ... with their sessions past the handshake.
struct Connected : Parties {
  Pair p{context->ctx(), client_ctx.get()};
};

TEST_CASE("two sessions handshake and exchange a request and its reply", "[tls]") {
  Connected connected;
  Pair& p = connected.p;
  REQUIRE(p.server.last == TlsSession::Status::kOk);
  REQUIRE(p.server.session->handshake_done());
  REQUIRE(p.client.session->handshake_done());
  CHECK(p.server.session->protocol() == "TLSv1.3");

  REQUIRE(p.client.session->Encrypt("*1\r\n$4\r\nPING\r\n"));
  Pump(p.client, p.server);
  CHECK(p.server.received() == "*1\r\n$4\r\nPING\r\n");
  REQUIRE(p.server.session->Encrypt("+PONG\r\n"));
  Pump(p.client, p.server);
  CHECK(p.client.received() == "+PONG\r\n");
}

TEST_CASE("a megabyte reply crosses as many records and arrives whole", "[tls]") {
  Connected connected;
  Pair& p = connected.p;
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  REQUIRE(p.server.session->Encrypt(big));
  Pump(p.client, p.server);
  CHECK(p.client.received() == big);
}

TEST_CASE("plaintext encrypted before the handshake leaves once it is done, in order", "[tls]") {
  Parties parties;
  Peer server, client;
  server.session = TlsSession::Create(parties.context->ctx(), TlsSession::Role::kServer);
  client.session = TlsSession::Create(parties.client_ctx.get(), TlsSession::Role::kClient);
  REQUIRE(server.session->Encrypt("+first\r\n"));
  REQUIRE(server.session->Encrypt("+second\r\n"));
  CHECK_FALSE(server.session->has_output());  // nothing before the peer said hello
  REQUIRE(client.session->StartHandshake());
  Pump(client, server);
  CHECK(client.received() == "+first\r\n+second\r\n");
}

TEST_CASE("a full input buffer leaves the rest in the session until there is room", "[tls]") {
  Connected connected;
  Pair& p = connected.p;
  REQUIRE(p.client.session->Encrypt("0123456789"));
  std::string bytes;
  p.client.session->TakeOutput(&bytes);
  p.server.session->Feed(bytes);
  std::string small(4, '\0');
  size_t len = 0;
  REQUIRE(p.server.session->Decrypt(&small, &len, /*may_grow=*/false) == TlsSession::Status::kOk);
  CHECK(std::string_view(small.data(), len) == "0123");
  CHECK(p.server.session->has_buffered_input());
  len = 0;
  REQUIRE(p.server.session->Decrypt(&small, &len, /*may_grow=*/true) == TlsSession::Status::kOk);
  CHECK(std::string_view(small.data(), len) == "456789");
  CHECK_FALSE(p.server.session->has_buffered_input());
}

TEST_CASE("mutual TLS: no client certificate fails the handshake, one from the CA passes",
          "[tls]") {
  ServerFiles files;
  files.options.auth_clients = "yes";
  std::unique_ptr<TlsContext> context = Context(files.options);
  SECTION("without a certificate") {
    auto client_ctx = ClientContext(files.server, nullptr);
    Pair p(context->ctx(), client_ctx.get());
    CHECK(p.server.last == TlsSession::Status::kError);
    CHECK_THAT(p.server.session->error(), Catch::Contains("certificate"));
  }
  SECTION("with a certificate the server's CA signed") {
    auto client_ctx = ClientContext(files.server, &files.client_ca);
    Pair p(context->ctx(), client_ctx.get());
    CHECK(p.server.last == TlsSession::Status::kOk);
    REQUIRE(p.client.session->Encrypt("+hi\r\n"));
    Pump(p.client, p.server);
    CHECK(p.server.received() == "+hi\r\n");
  }
  SECTION("with a certificate of another CA") {
    Identity stranger("stranger");
    auto client_ctx = ClientContext(files.server, &stranger);
    Pair p(context->ctx(), client_ctx.get());
    CHECK(p.server.last == TlsSession::Status::kError);
  }
  SECTION("optional accepts a client without a certificate") {
    files.options.auth_clients = "optional";
    std::unique_ptr<TlsContext> optional = Context(files.options);
    auto client_ctx = ClientContext(files.server, nullptr);
    Pair p(optional->ctx(), client_ctx.get());
    CHECK(p.server.last == TlsSession::Status::kOk);
  }
}

TEST_CASE("bytes that are not TLS fail the session with a reason", "[tls]") {
  Parties parties;
  auto server = TlsSession::Create(parties.context->ctx(), TlsSession::Role::kServer);
  server->Feed("*1\r\n$4\r\nPING\r\n");
  std::string in;
  size_t len = 0;
  CHECK(server->Decrypt(&in, &len, true) == TlsSession::Status::kError);
  CHECK_FALSE(server->error().empty());
  CHECK(len == 0);
}

TEST_CASE("the context names the flag whose file or value OpenSSL refuses", "[tls]") {
  ServerFiles files;
  // Create's error, "" if it succeeded.
  auto error = [&files] {
    auto context = TlsContext::Create(files.options);
    return context.ok() ? std::string() : std::string(context.status().message());
  };
  SECTION("missing certificate") {
    files.options.cert_file = files.dir + "/nope.pem";
    CHECK_THAT(error(), Catch::Contains("--tls-cert-file") && Catch::Contains("cannot read"));
  }
  SECTION("a key that is not the certificate's") {
    files.options.key_file = files.client_ca.Write(files.dir, "other") + "-key.pem";
    CHECK_THAT(error(), Catch::Contains("--tls-key-file"));
  }
  SECTION("unknown protocol") {
    files.options.protocols = "TLSv1.2 SSLv3";
    CHECK_THAT(error(), Catch::Contains("--tls-protocols"));
  }
  SECTION("ciphers OpenSSL does not know") {
    files.options.ciphers = "NOT-A-CIPHER";
    CHECK_THAT(error(), Catch::Contains("--tls-ciphers"));
  }
  SECTION("TLSv1.2 only is what a TLSv1.3 client cannot get") {
    files.options.protocols = "TLSv1.2";
    std::unique_ptr<TlsContext> context = Context(files.options);
    auto client_ctx = ClientContext(files.server, nullptr);
    SSL_CTX_set_min_proto_version(client_ctx.get(), TLS1_3_VERSION);
    Pair p(context->ctx(), client_ctx.get());
    CHECK(p.server.last == TlsSession::Status::kError);
  }
}

}  // namespace
}  // namespace strongbox::engine
