// Engine configuration: every flag has an environment variable; Validate() names the flag and
// the fix for a bad value.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "engine/server/output_buffer_limit.h"

namespace CLI {
class App;
}

namespace strongbox::engine {

// always: no reply leaves before the records it depends on are durable.
// interval: replies are not held; records are synced every flush interval or batch capacity.
enum class FsyncMode { kAlways, kInterval };

struct EngineConfig {
  std::string dir = "/app/persistence";
  std::string bind = "127.0.0.1";
  int port = 6379;
  int metrics_port = 9121;
  std::string fsync = "always";  // the flag as given; ValidateConfig sets fsync_mode from it
  FsyncMode fsync_mode = FsyncMode::kAlways;
  int64_t flush_interval_ms = 1000;
  int64_t batch_capacity = 1024;
  uint64_t segment_bytes = 64ull << 20;
  int64_t rotate_interval_s = 60;
  std::string requirepass;
  std::string requirepass_file;
  int maxclients = 10000;
  int64_t bulk_bytes_max = 512ll << 20;
  int64_t query_buffer_bytes_max = 1ll << 30;
  int64_t output_buffer_bytes_max = 256ll << 20;  // stop reading a client beyond this
  int64_t readonly_retry_ms = 1000;
  int64_t save_timeout_ms = 300'000;  // SAVE waits this long for the snapshotter's snapshot
  OutputBufferLimits output_limits;  // CONFIG SET client-output-buffer-limit; pubsub enforced
};

void AddEngineFlags(CLI::App& app, EngineConfig* config);
// Also loads --requirepass-file into requirepass.
absl::Status ValidateConfig(EngineConfig* config);

}  // namespace strongbox::engine
