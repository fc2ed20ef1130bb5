// INFO: Redis 7.0's sections and field names, one function per section, filled from a snapshot
// of the engine's state (pure: no I/O, so it can change without touching the loop). Fields
// without a meaning here print what Redis prints for the equivalent state (no replica, no
// fork, no cluster); every figure is measured, never made up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"
#include "engine/commands/command_stats.h"
#include "engine/commands/pubsub_registry.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/snapshot_requests.h"
#include "engine/server/config.h"
#include "engine/server/connection.h"
#include "engine/server/engine_metrics.h"
#include "engine/server/instantaneous_metrics.h"

namespace strongbox::engine {

// The newest snapshot in the persistence directory (rdb_last_save_time and
// rdb_changes_since_last_save); found = false when there is none yet.
struct SnapshotInfo {
  bool found = false;
  uint64_t lsn = 0;
  int64_t mtime_s = 0;
};
SnapshotInfo NewestSnapshot(io::FileSystem& fs, const std::string& dir);

struct InfoInputs {
  const EngineConfig& config;
  const DurableLog& log;
  const ServerCounters& counters;
  const ConnMap& conns;
  const state::State& state;
  const CommandStats& stats;
  const InstantaneousMetrics& rates;
  const PubSubRegistry& pubsub;
  size_t blocked_clients = 0;
  size_t clients_waiting_durability = 0;
  uint64_t fsyncs = 0;
  double fsync_seconds_total = 0;
  int64_t started_ms = 0;
  int64_t now_ms = 0;
  size_t lazyfree_pending_objects = 0;
  uint64_t lazyfreed_objects = 0;
  uint64_t used_memory_peak = 0;
  uint64_t used_memory_startup = 0;  // before recovery loaded the data set
  uint64_t keys_loaded = 0;          // by recovery (rdb_last_load_keys_loaded)
  std::string run_id;                // 40 hex, new for every process (as Redis)
  std::string master_replid;         // 40 hex, stable for the data directory
  std::string replication_section;   // "# Replication..." from engine/replication/ (or "")
  SnapshotInfo snapshot;
  BackgroundSaveStatus bgsave;  // BGSAVE/SAVE/BGREWRITEAOF requests to the snapshotter
};

// The sections INFO's arguments name (lower case): none or "default" = Redis's default set,
// "all", "everything", section names; an unknown name adds nothing.
std::vector<std::string_view> SelectInfoSections(const std::vector<std::string>& args);
std::string InfoText(const std::vector<std::string>& args, const InfoInputs& in);

// INFO master_replid: 40 hex digits derived from the data set's id, so stable for the data
// directory; run_id: 40 random hex digits, new for every process (as Redis).
std::string ReplicationId(const format::DatasetId& dataset);
std::string RandomRunId();

// The allocator's figure for INFO's used_memory (RSS when the allocator is replaced).
uint64_t UsedMemoryBytes();

}  // namespace strongbox::engine
