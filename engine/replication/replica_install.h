// A full resync on the replica's disk: the files of the log it had (segments, snapshots,
// dataset.id, replication.id, torn bytes) are set aside in replaced-<ms>/ (kept for forensics,
// never read again), and so are its archived segments and snapshots, in the archive's own
// replaced-<ms>/ (they would otherwise stand in for the new log's missing LSNs), then the
// primary's data-set id, its snapshot and the new history are put in place. A crash at any point
// leaves either the old files aside and no new log (the next start is empty and resyncs) or the new
// snapshot with its history.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "engine/replication/history.h"

namespace strongbox::engine::replication {

struct DataDirs {
  std::string hot;
  std::string archive;  // "" = none; it need not exist
};

// `snapshot_path` ("" = the empty state) is moved to the hot directory as snapshot-<lsn>.
// Returns the directory the old hot files went to in *set_aside ("" if there were none).
absl::Status ReplaceDataFiles(io::FileSystem& fs, const DataDirs& dirs,
                              const format::DatasetId& dataset, const std::string& snapshot_path,
                              uint64_t lsn, const History& history, int64_t now_ms,
                              std::string* set_aside);

}  // namespace strongbox::engine::replication
