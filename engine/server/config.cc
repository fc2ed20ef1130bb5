// Flag definitions and validation for strongbox-engine.
#include "engine/server/config.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace strongbox::engine {

void AddEngineFlags(CLI::App& app, EngineConfig* c) {
  app.add_option("--dir", c->dir, "Persistence directory")->envname("STRONGBOX_DIR");
  app.add_option("--bind", c->bind, "Listen address (0.0.0.0 to expose)")
      ->envname("STRONGBOX_BIND");
  app.add_option("--port", c->port, "RESP port")->envname("STRONGBOX_PORT");
  app.add_option("--metrics-port", c->metrics_port,
                 "HTTP port for /metrics /healthz /readyz (0 = off)")
      ->envname("STRONGBOX_METRICS_PORT");
  app.add_option("--fsync", c->fsync,
                 "always: replies wait until durable; interval: replies not held")
      ->envname("STRONGBOX_FSYNC");
  app.add_option("--flush-interval-ms", c->flush_interval_ms,
                 "interval mode: longest time between write+fdatasync")
      ->envname("PERSIST_FLUSH_INTERVAL_MS");
  app.add_option("--batch-capacity", c->batch_capacity,
                 "interval mode: flush as soon as this many records are pending")
      ->envname("PERSIST_BATCH_CAPACITY");
  app.add_option("--segment-bytes", c->segment_bytes, "Rotate the active segment at this size")
      ->envname("STRONGBOX_SEGMENT_BYTES");
  app.add_option("--rotate-interval", c->rotate_interval_s,
                 "Seconds; rotate a segment that holds records this often")
      ->envname("STRONGBOX_ROTATE_INTERVAL");
  app.add_option("--save-timeout-ms", c->save_timeout_ms,
                 "SAVE fails after waiting this long for the snapshotter's snapshot")
      ->envname("STRONGBOX_SAVE_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--requirepass", c->requirepass, "Password for AUTH")
      ->envname("STRONGBOX_REQUIREPASS");
  app.add_option("--requirepass-file", c->requirepass_file, "File holding the AUTH password")
      ->envname("STRONGBOX_REQUIREPASS_FILE");
  app.add_option("--maxclients", c->maxclients, "Connections beyond this are refused")
      ->envname("STRONGBOX_MAXCLIENTS");
  app.add_option("--proto-max-bulk-len", c->bulk_bytes_max, "Largest bulk argument, bytes")
      ->envname("STRONGBOX_PROTO_MAX_BULK_LEN");
  app.add_option("--client-query-buffer-limit", c->query_buffer_bytes_max,
                 "Largest unparsed input per client, bytes")
      ->envname("STRONGBOX_CLIENT_QUERY_BUFFER_LIMIT");
  app.add_option("--client-output-buffer-limit", c->output_buffer_bytes_max,
                 "Pending replies per client beyond which its input is paused, bytes")
      ->envname("STRONGBOX_CLIENT_OUTPUT_BUFFER_LIMIT");
}

absl::Status ValidateConfig(EngineConfig* c) {
  auto bad = [](std::string_view flag, std::string_view fix) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", std::string(flag), ": ", std::string(fix)));
  };
  if (c->dir.empty()) return bad("--dir", "give the persistence directory");
  if (c->port < 1 || c->port > 65535) return bad("--port", "use 1..65535");
  if (c->metrics_port < 0 || c->metrics_port > 65535) {
    return bad("--metrics-port", "use 1..65535, or 0 to disable");
  }
  if (c->fsync == "always") {
    c->fsync_mode = FsyncMode::kAlways;
  } else if (c->fsync == "interval") {
    c->fsync_mode = FsyncMode::kInterval;
  } else {
    return bad("--fsync", "use 'always' or 'interval'");
  }
  if (c->flush_interval_ms < 1 || c->flush_interval_ms > 60'000) {
    return bad("--flush-interval-ms (PERSIST_FLUSH_INTERVAL_MS)", "use 1..60000");
  }
  if (c->batch_capacity < 1 || c->batch_capacity > 10'000'000) {
    return bad("--batch-capacity (PERSIST_BATCH_CAPACITY)", "use 1..10000000");
  }
  if (c->segment_bytes < 4096 || c->segment_bytes > (64ull << 30)) {
    return bad("--segment-bytes", "use 4096..68719476736 (default 67108864)");
  }
  if (c->rotate_interval_s < 1 || c->rotate_interval_s > 86'400) {
    return bad("--rotate-interval", "use 1..86400 seconds");
  }
  if (c->maxclients < 1 || c->maxclients > 1'000'000) return bad("--maxclients", "use 1..1000000");
  // A value must fit a node (32-bit sizes, state::kStringBytesMax).
  if (c->bulk_bytes_max < 1024 || c->bulk_bytes_max > int64_t{UINT32_MAX}) {
    return bad("--proto-max-bulk-len", "use 1024..4294967295");
  }
  if (c->query_buffer_bytes_max < 1024 * 1024) {
    return bad("--client-query-buffer-limit", "use at least 1048576");
  }
  if (c->output_buffer_bytes_max < 64 * 1024) {
    return bad("--client-output-buffer-limit", "use at least 65536");
  }
  if (!c->requirepass_file.empty()) {
    if (!c->requirepass.empty()) {
      return bad("--requirepass-file", "give either --requirepass or --requirepass-file");
    }
    std::ifstream in(c->requirepass_file);
    if (!in) return bad("--requirepass-file", "cannot read " + c->requirepass_file);
    std::stringstream ss;
    ss << in.rdbuf();
    c->requirepass = ss.str();
    while (!c->requirepass.empty() &&
           (c->requirepass.back() == '\n' || c->requirepass.back() == '\r')) {
      c->requirepass.pop_back();
    }
    if (c->requirepass.empty()) return bad("--requirepass-file", "the file is empty");
  }
  return absl::OkStatus();
}

}  // namespace strongbox::engine
