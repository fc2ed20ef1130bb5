// Snapshot requests: the engine asks the snapshotter for a snapshot through a file in the
// persistence directory (the directory stays the only interface between the two binaries).
// The name carries the LSN (file_names.h); the text inside is for people reading the directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::format {

struct SnapshotRequest {
  uint64_t lsn = 0;  // the snapshot must cover at least this LSN
  std::string name;
};

// Writes snapshot-request-<lsn>.req atomically (temporary file, then rename). No fsync: the
// engine's loop must not wait for the disk, and a request lost to a power cut is lost like a
// BGSAVE Redis was running when it lost power.
absl::Status WriteSnapshotRequest(io::FileSystem& fs, const std::string& dir, uint64_t lsn,
                                  int64_t requested_ms);
// The requests in `dir`, by LSN (a listing only: names carry everything readers need).
absl::StatusOr<std::vector<SnapshotRequest>> ListSnapshotRequests(io::FileSystem& fs,
                                                                  const std::string& dir);

}  // namespace strongbox::format
