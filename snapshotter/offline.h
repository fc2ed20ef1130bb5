// Offline subcommands: verify (every file, the LSN chain, state digests by replay), inspect
// (a file's header and records) and restore (the state at an LSN or a time, written as a
// snapshot an engine can start from).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/io/file_system.h"
#include "snapshotter/replayer.h"

namespace strongbox::snapshotter {

// The state after the record at `to_lsn`, or after the last record written at or before
// `to_time_ms`, or (both 0) after the newest record: the newest snapshot not past it plus the
// segments, hot and archived. `tool` prefixes progress lines. Shared by restore and export-rdb.
absl::StatusOr<std::unique_ptr<Replayer>> ReplayTo(io::FileSystem& fs, const std::string& dir,
                                                   const std::string& archive_dir, uint64_t to_lsn,
                                                   int64_t to_time_ms, const std::string& tool);

int RunVerify(const std::string& dir, const std::string& archive_dir, bool replay);
int RunInspect(const std::string& path, bool json, int64_t limit);
// Exactly one of to_lsn (> 0) / to_time_ms (> 0) is set.
int RunRestore(const std::string& dir, const std::string& archive_dir, uint64_t to_lsn,
               int64_t to_time_ms, const std::string& target);

}  // namespace strongbox::snapshotter
