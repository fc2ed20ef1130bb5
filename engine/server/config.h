// Engine configuration: every flag has an environment variable; Validate() names the flag and
// the fix for a bad value.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/replication/replication_config.h"
#include "engine/server/memory_config.h"
#include "engine/server/output_buffer_limit.h"
#include "engine/server/tls_options.h"

namespace CLI {
class App;
}

namespace strongbox::engine {

// always: no reply leaves before the records it depends on are durable.
// interval: replies are not held; records are synced every flush interval or batch capacity.
enum class FsyncMode { kAlways, kInterval };
// How a batch is made durable: a write linked to an fdatasync (two io_uring operations), or
// one write with RWF_DSYNC. Chosen by measurement: see docs/benchmarks.md.
enum class LogSync { kFdatasync, kDsyncWrite };
// How batches reach the active segment: through the page cache, or with O_DIRECT as whole
// 4 KiB blocks (direct_log_writer.h; buffered when the file system refuses O_DIRECT). Chosen
// by measurement: see docs/benchmarks.md.
enum class LogIo { kBuffered, kDirect };

struct EngineConfig {
  std::string dir = "/app/persistence";
  std::string bind = "127.0.0.1";
  int port = 6379;
  int metrics_port = 9121;
  std::string fsync = "always";  // the flag as given; ValidateConfig sets fsync_mode from it
  FsyncMode fsync_mode = FsyncMode::kAlways;
  std::string log_sync = "fdatasync";  // the flag as given; ValidateConfig sets log_sync_mode
  LogSync log_sync_mode = LogSync::kFdatasync;
  std::string log_io = "buffered";  // the flag as given; ValidateConfig sets log_io_mode
  LogIo log_io_mode = LogIo::kBuffered;
  // Pipelined group commit: batches written+fdatasynced at once (durable_log.h). --log-io
  // direct uses 1: consecutive O_DIRECT batches rewrite the block they share.
  int log_batches_in_flight = 1;
  int64_t flush_interval_ms = 1000;
  int64_t batch_capacity = 1024;
  uint64_t segment_bytes = 64ull << 20;
  int64_t rotate_interval_s = 60;
  std::string requirepass;
  std::string requirepass_file;
  std::string aclfile;  // ACL users (Redis's ACL file syntax); ACL SAVE writes it
  int maxclients = 10000;
  int64_t bulk_bytes_max = 512ll << 20;
  int64_t query_buffer_bytes_max = 1ll << 30;
  int64_t output_buffer_bytes_max = 256ll << 20;  // stop reading a client beyond this
  int64_t readonly_retry_ms = 1000;
  int64_t save_timeout_ms = 300'000;  // SAVE waits this long for the snapshotter's snapshot
  OutputBufferLimits output_limits;   // CONFIG SET client-output-buffer-limit; pubsub enforced
  // --config FILE (Redis's syntax; flags override it). The directives that are not flags are
  // applied through the CONFIG table at start (server_config.cc), in file order.
  std::string config_file;
  std::vector<std::pair<std::string, std::string>> config_file_settings;
  // Threads decoding the snapshot at start (0: min(cores, 4); 1: one thread, as before).
  int load_threads = 0;
  // maxmemory flags as given (units allowed); ValidateConfig sets `memory` from them.
  std::string maxmemory = "0";
  std::string maxmemory_policy = "noeviction";
  std::string maxmemory_samples = "5";
  MemoryLimits memory;            // CONFIG SET maxmemory, maxmemory-policy, maxmemory-samples
  TlsOptions tls;                 // --tls-port and the rest of tls-*
  ReplicationConfig replication;  // --replicaof, --masterauth, ... (engine/replication/)
};

void AddEngineFlags(CLI::App& app, EngineConfig* config);
// After parsing: reads --config FILE, if given, into the fields whose flags were not given
// (port, bind, dir, requirepass, maxclients, proto-max-bulk-len, client-query-buffer-limit,
// appendfsync, tls-*) and config_file_settings (the rest).
absl::Status LoadConfigFile(const CLI::App& app, EngineConfig* config);
// Also loads --requirepass-file into requirepass.
absl::Status ValidateConfig(EngineConfig* config);

}  // namespace strongbox::engine
