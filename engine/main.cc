// strongbox-engine: flags, then the server. `strongbox-engine healthcheck` probes a running
// engine's /healthz for container HEALTHCHECKs (no curl in the image).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/io/file_system.h"
#include "common/metrics/http_server.h"
#include "engine/server/config.h"
#include "engine/server/server.h"

int main(int argc, char** argv) {
  using namespace strongbox;
  CLI::App app{
      "strongbox-engine: a Redis-protocol key-value engine that acknowledges only "
      "durable writes"};
  engine::EngineConfig config;
  engine::AddEngineFlags(app, &config);
  int health_port = 9121;
  std::string health_path = "/healthz";
  CLI::App* health = app.add_subcommand("healthcheck", "Probe a running engine (exit 0 = ok)");
  health->add_option("--metrics-port", health_port, "The engine's --metrics-port")
      ->envname("STRONGBOX_METRICS_PORT");
  health->add_option("--path", health_path, "/healthz or /readyz");
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);

  if (*health) return metrics::RunHealthcheck("127.0.0.1", health_port, health_path);
  absl::Status loaded = engine::LoadConfigFile(app, &config);
  if (absl::Status s = loaded.ok() ? engine::ValidateConfig(&config) : loaded; !s.ok()) {
    std::fprintf(stderr, "strongbox-engine: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  engine::Server server(config, io::DefaultFileSystem());
  return server.Run();
}
