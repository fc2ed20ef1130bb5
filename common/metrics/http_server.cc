// cpp-httplib based metrics/health endpoint and health-check client.
#include "common/metrics/http_server.h"

#include <httplib.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace strongbox::metrics {

MetricsHttpServer::MetricsHttpServer(const Registry& registry, Probes probes)
    : registry_(registry), probes_(std::move(probes)) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::Status MetricsHttpServer::Start(const std::string& bind_address, int port) {
  server_ = std::make_unique<httplib::Server>();
  // Scrapes are rare and cheap: two threads is plenty and keeps us off the engine's cores.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  // httplib's default also sets SO_REUSEPORT, which would let a second process bind the same
  // port silently; a port clash must be an error at start.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  auto probe = [](const std::function<bool(std::string*)>& fn, httplib::Response& res) {
    std::string reason = "ok";
    bool ok = !fn || fn(&reason);
    res.status = ok ? 200 : 503;
    res.set_content(reason + "\n", "text/plain");
  };
  server_->Get("/healthz", [this, probe](const httplib::Request&, httplib::Response& res) {
    probe(probes_.healthy, res);
  });
  server_->Get("/readyz", [this, probe](const httplib::Request&, httplib::Response& res) {
    probe(probes_.ready, res);
  });
  if (!server_->bind_to_port(bind_address.c_str(), port)) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", bind_address, ":",
                                               port, " (port in use or address not local); ",
                                               "choose another --metrics-port or 0 to disable"));
  }
  port_ = port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void MetricsHttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

int RunHealthcheck(const std::string& host, int port, const std::string& path, int timeout_ms) {
  httplib::Client client(host, port);
  client.set_connection_timeout(0, timeout_ms * 1000);
  client.set_read_timeout(0, timeout_ms * 1000);
  auto res = client.Get(path.c_str());
  if (!res) {
    std::fprintf(stderr, "healthcheck: http://%s:%d%s unreachable: %s\n", host.c_str(), port,
                 path.c_str(), httplib::to_string(res.error()).c_str());
    return 1;
  }
  if (res->status != 200) {
    std::fprintf(stderr, "healthcheck: %s answered %d: %s", path.c_str(), res->status,
                 res->body.c_str());
    return 1;
  }
  return 0;
}

}  // namespace strongbox::metrics
