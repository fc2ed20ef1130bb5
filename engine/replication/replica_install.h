// A full resync on the replica's disk: the files of the log it had (segments, snapshots,
// dataset.id, replication.id, torn bytes) are set aside in replaced-<ms>/ (kept for forensics,
// never read again), and so are the archive's files of that log (in <archive>/replaced-<ms>/),
// then the primary's data-set id, its snapshot and the new history are put in place. A crash at
// any point leaves either the old files aside and no new log (the next start is empty and
// resyncs) or the new snapshot with its history.
//
// The replica's snapshotter may be working on the old log meanwhile: the replacement holds
// replace.lock and starts a new generation (common/format/replaced_logs.h), so the snapshotter
// never publishes a file of the old log among the new one's.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "engine/replication/history.h"

namespace strongbox::engine::replication {

struct ReplacedLog {
  std::string dir;          // where the old hot files went ("" if there were none)
  std::string archive_dir;  // where the old archived files went ("" if there were none)
};

// `snapshot_path` ("" = the empty state) is moved to the directory as snapshot-<lsn>.
// Unavailable while the snapshotter holds replace.lock (nothing was changed: retry later).
absl::Status ReplaceDataFiles(io::FileSystem& fs, const std::string& dir,
                              const std::string& archive_dir, const format::DatasetId& dataset,
                              const std::string& snapshot_path, uint64_t lsn,
                              const History& history, int64_t now_ms, ReplacedLog* replaced);

}  // namespace strongbox::engine::replication
