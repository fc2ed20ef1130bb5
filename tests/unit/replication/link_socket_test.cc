// LinkSocket on loopback: a refused connect names the address; a connect to a listener whose
// queue is full (the kernel drops the SYN) and a TLS handshake with a peer that never answers
// both end with CancelledError once stop is set and the wake fd written; bytes go both ways on
// a plain connection; a wake without bytes returns from Receive with nothing; a peer that is no
// TLS server fails the handshake with the address in the error.
#include "engine/replication/link_socket.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

namespace strongbox::engine::replication {
namespace {

// A loopback listener nobody accepts from (until Accept).
struct Listener {
  int fd = -1;
  int port = 0;
  std::vector<int> fillers;  // connections queued (or pending) to fill the backlog

  explicit Listener(int backlog) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd, backlog) == 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  // Backlog 0 holds one connection; the SYNs after it are dropped, so connect() hangs.
  void FillQueue() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    for (int i = 0; i < 2; ++i) {
      int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      (void)::connect(f, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers.push_back(f);
    }
    ::usleep(100'000);  // the first handshake completes into the queue
  }
  int Accept() { return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC); }
  ~Listener() {
    for (int f : fillers) ::close(f);
    ::close(fd);
  }
};

struct Wake {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  std::atomic<bool> stop{false};
  void Poke() {
    uint64_t one = 1;
    (void)!::write(fd, &one, sizeof(one));
  }
  ~Wake() { ::close(fd); }
};

constexpr int64_t kLongMs = 120'000;  // longer than any test may take: only a stop ends it

TEST_CASE("a refused connect names the address") {
  Wake wake;
  int port = 0;
  {
    Listener closed(1);
    port = closed.port;
  }
  LinkSocket sock(nullptr, wake.fd, wake.stop);
  absl::Status s = sock.Connect("127.0.0.1", port, kLongMs);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("connect to 127.0.0.1:" + std::to_string(port)) &&
                 Catch::Contains("refused"));
}

TEST_CASE("a stop ends a connect the primary never answers") {
  Listener silent(0);
  silent.FillQueue();
  Wake wake;
  LinkSocket sock(nullptr, wake.fd, wake.stop);
  auto connecting = std::async(std::launch::async,
                               [&] { return sock.Connect("127.0.0.1", silent.port, kLongMs); });
  ::usleep(200'000);
  wake.stop = true;
  wake.Poke();
  absl::Status s = connecting.get();
  CHECK(absl::IsCancelled(s));
}

TEST_CASE("a stop ends a TLS handshake the primary never answers") {
  Listener silent(8);  // TCP completes; no ServerHello ever comes
  Wake wake;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  LinkSocket sock(ctx, wake.fd, wake.stop);
  auto connecting = std::async(std::launch::async,
                               [&] { return sock.Connect("127.0.0.1", silent.port, kLongMs); });
  ::usleep(200'000);
  wake.stop = true;
  wake.Poke();
  CHECK(absl::IsCancelled(connecting.get()));
  sock.Close();
  SSL_CTX_free(ctx);
}

TEST_CASE("a peer that is no TLS server fails the handshake") {
  Listener plain(8);
  Wake wake;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  LinkSocket sock(ctx, wake.fd, wake.stop);
  auto answering = std::async(std::launch::async, [&] {
    int peer = plain.Accept();
    char hello[512];
    (void)!::read(peer, hello, sizeof(hello));
    std::string not_tls = "-ERR not TLS\r\n";
    (void)!::write(peer, not_tls.data(), not_tls.size());
    ::close(peer);
  });
  absl::Status s = sock.Connect("127.0.0.1", plain.port, kLongMs);
  answering.get();
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("TLS handshake with 127.0.0.1:" + std::to_string(plain.port)));
  sock.Close();
  SSL_CTX_free(ctx);
}

TEST_CASE("plain bytes both ways; a wake without bytes returns nothing; stop cancels") {
  Listener listener(8);
  Wake wake;
  LinkSocket sock(nullptr, wake.fd, wake.stop);
  REQUIRE(sock.Connect("127.0.0.1", listener.port, kLongMs).ok());
  int peer = listener.Accept();
  REQUIRE(sock.SendAll("PING\r\n", kLongMs).ok());
  char got[16] = {};
  REQUIRE(::read(peer, got, 6) == 6);
  CHECK(std::string(got, 6) == "PING\r\n");

  std::string in;
  wake.Poke();
  REQUIRE(sock.Receive(&in, static_cast<int>(kLongMs)).ok());  // woken: returns at once
  CHECK(in.empty());
  REQUIRE(::write(peer, "+PONG\r\n", 7) == 7);
  while (in.size() < 7) REQUIRE(sock.Receive(&in, static_cast<int>(kLongMs)).ok());
  CHECK(in == "+PONG\r\n");

  wake.stop = true;
  wake.Poke();
  CHECK(absl::IsCancelled(sock.Receive(&in, static_cast<int>(kLongMs))));
  ::close(peer);
}

}  // namespace
}  // namespace strongbox::engine::replication
