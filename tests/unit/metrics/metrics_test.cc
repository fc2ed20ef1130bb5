// Registry rendering and the HTTP endpoint/health-check round trip.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "common/metrics/http_server.h"
#include "common/metrics/registry.h"

using strongbox::metrics::MetricsHttpServer;
using strongbox::metrics::Registry;

TEST_CASE("registry renders counters, gauges and cumulative histograms") {
  Registry r;
  r.AddCounter("sb_records_total", "Records.").Inc(3);
  r.AddGauge("sb_lsn", "LSN.", "kind=\"durable\"").Set(42);
  r.AddGauge("sb_lsn", "LSN.", "kind=\"assigned\"").Set(43);
  auto& h = r.AddHistogram("sb_fsync_seconds", "Fsync.", {0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(5);
  r.AddGaugeFunction("sb_fn", "Fn.", [] { return 1.5; });
  std::string text = r.RenderPrometheus();
  CHECK(text.find("sb_records_total 3\n") != std::string::npos);
  CHECK(text.find("sb_lsn{kind=\"durable\"} 42\n") != std::string::npos);
  CHECK(text.find("sb_lsn{kind=\"assigned\"} 43\n") != std::string::npos);
  // One HELP header for both label sets.
  CHECK(text.find("# HELP sb_lsn") == text.rfind("# HELP sb_lsn"));
  CHECK(text.find("sb_fsync_seconds_bucket{le=\"0.001\"} 1\n") != std::string::npos);
  CHECK(text.find("sb_fsync_seconds_bucket{le=\"0.01\"} 2\n") != std::string::npos);
  CHECK(text.find("sb_fsync_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("sb_fsync_seconds_count 3\n") != std::string::npos);
  CHECK(text.find("sb_fn 1.5\n") != std::string::npos);
}

TEST_CASE("volume gauges read statvfs and report NaN for a missing path") {
  Registry r;
  strongbox::metrics::AddVolumeGauges(r, strongbox::io::DefaultFileSystem(), "sb", "hot", "/");
  strongbox::metrics::AddVolumeGauges(r, strongbox::io::DefaultFileSystem(), "sb", "gone",
                                      "/nonexistent/strongbox");
  std::string text = r.RenderPrometheus();
  CHECK(text.find("sb_volume_total_bytes{volume=\"hot\"} ") != std::string::npos);
  CHECK(text.find("sb_volume_free_bytes{volume=\"gone\"} NaN") != std::string::npos);
}

TEST_CASE("http server serves metrics and probes; healthcheck reports status") {
  Registry r;
  r.AddCounter("sb_up_total", "Up.").Inc();
  bool ready = false;
  MetricsHttpServer server(r, {.healthy = [](std::string*) { return true; },
                               .ready =
                                   [&ready](std::string* why) {
                                     *why = "recovering";
                                     return ready;
                                   }});
  // Find a free port by trying a small range; a busy port is reported as an error status.
  int port = 0;
  for (int p = 19100; p < 19200 && port == 0; ++p) {
    if (server.Start("127.0.0.1", p).ok()) port = p;
  }
  REQUIRE(port != 0);
  CHECK(strongbox::metrics::RunHealthcheck("127.0.0.1", port, "/healthz") == 0);
  CHECK(strongbox::metrics::RunHealthcheck("127.0.0.1", port, "/readyz") == 1);
  ready = true;
  CHECK(strongbox::metrics::RunHealthcheck("127.0.0.1", port, "/readyz") == 0);
  MetricsHttpServer second(r, {});
  CHECK_FALSE(second.Start("127.0.0.1", port).ok());
  server.Stop();
  CHECK(strongbox::metrics::RunHealthcheck("127.0.0.1", port, "/healthz", 300) == 1);
}
