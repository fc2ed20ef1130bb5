// Moves files the hot volume no longer needs into the archive, crash-safely and across
// volumes: nothing leaves the hot volume before its archived copy has been re-read and
// verified. Also the retention of the archive.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/io/file_system.h"
#include "common/util/log_fn.h"

namespace strongbox::snapshotter {

struct ArchiveOptions {
  std::string hot_dir;
  std::string archive_dir;
  int keep_snapshots = 2;
  bool compress = true;  // segments become .log.zst
  int compression_level = 3;
};

// Pure: which hot files to archive. Keeps the newest `keep_snapshots` snapshots and every
// segment after the oldest of them; everything older goes.
std::vector<format::ParsedName> PlanArchive(const format::DirectoryListing& hot,
                                            int keep_snapshots);

// copy (+ recompress) → fsync → rename in place → fsync dir → re-read and verify → unlink the
// hot file → fsync hot dir. A plain rename (+ directory fsyncs) when the archive is on the
// same volume and nothing is recompressed. Returns the bytes the archived file takes.
absl::StatusOr<uint64_t> ArchiveFile(io::FileSystem& fs, const ArchiveOptions& options,
                                     const format::ParsedName& name);

// At start: removes the archiver's own *.tmp files and finishes moves a crash interrupted
// (a file in both places: the archived copy is verified, then the hot one removed; a copy
// that does not verify is removed and the move redone later).
absl::Status RecoverArchive(io::FileSystem& fs, const ArchiveOptions& options, const LogFn& log);

struct RetentionOptions {
  int64_t max_age_ms = 0;  // 0 = keep forever
  uint64_t max_bytes = 0;  // 0 = no limit
};
struct ArchivedFileInfo {
  format::ParsedName name;
  uint64_t bytes = 0;
  int64_t mtime_ms = 0;
};
// Pure: which archived files to delete. Deletes whole units from the oldest end — an archived
// snapshot and the segments up to the next archived snapshot — so what remains always starts
// with a snapshot followed by contiguous segments (a restorable chain). The newest archived
// snapshot is never deleted.
std::vector<format::ParsedName> PlanRetention(const std::vector<ArchivedFileInfo>& archived,
                                              const RetentionOptions& options, int64_t now_ms);

}  // namespace strongbox::snapshotter
