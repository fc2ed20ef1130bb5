// `strongbox-snapshotter run`: watch the persistence directory, replay sealed segments,
// write snapshots by policy and on request (BGSAVE: snapshot-request-<LSN>.req), archive what the
// hot volume no longer needs, apply retention.
#pragma once

#include <cstdint>
#include <string>

#include "snapshotter/archiver.h"
#include "snapshotter/priority.h"

namespace strongbox::snapshotter {

struct DaemonOptions {
  std::string dir = "/app/persistence";
  std::string archive_dir;  // default <dir>/archived
  int metrics_port = 9122;
  std::string metrics_bind = "127.0.0.1";
  int snapshot_every = 4;  // sealed segments
  int64_t snapshot_interval_s = 300;
  int keep_snapshots = 2;
  bool archive_compress = true;
  int compression_level = 3;
  int compression_workers = 0;
  int64_t retain_archive_days = 0;
  uint64_t retain_archive_bytes = 0;
  int64_t rescan_interval_ms = 5000;
  int nice = 10;  // the engine's latency comes first
  CpuPriority cpu_priority = CpuPriority::kIdle;
  IoPriority io_priority = IoPriority::kIdle;
};

int RunDaemon(const DaemonOptions& options);

}  // namespace strongbox::snapshotter
