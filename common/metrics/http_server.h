// Serves /metrics (Prometheus text), /healthz and /readyz on its own thread, so a scrape never
// runs on the engine's event loop. Also the client side of the containers' HEALTHCHECK.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/metrics/registry.h"

namespace httplib {
class Server;
}

namespace strongbox::metrics {

class MetricsHttpServer {
 public:
  // `healthy`: the process can do its job (200 vs 503 on /healthz).
  // `ready`: recovery done and accepting work (200 vs 503 on /readyz). Both run on the HTTP
  // thread and must be thread-safe. The body of each probe is a one-line reason.
  struct Probes {
    std::function<bool(std::string* reason)> healthy;
    std::function<bool(std::string* reason)> ready;
  };
  MetricsHttpServer(const Registry& registry, Probes probes);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // Binds synchronously (so a port in use is reported at start) and serves on a thread.
  absl::Status Start(const std::string& bind_address, int port);
  void Stop();
  int port() const { return port_; }

 private:
  const Registry& registry_;
  Probes probes_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// GET http://<host>:<port><path>; returns 0 on HTTP 200, 1 otherwise, printing why to stderr.
// Used by the `healthcheck` subcommand of both binaries (no curl in the images).
int RunHealthcheck(const std::string& host, int port, const std::string& path = "/healthz",
                   int timeout_ms = 2000);

}  // namespace strongbox::metrics
