// A full resync on the replica's disk: the files of the log it had (segments, snapshots,
// dataset.id, replication.id, torn bytes) are set aside in replaced-<ms>/ (kept for forensics,
// never read again), then the primary's data-set id, its snapshot and the new history are put
// in place. A crash at any point leaves either the old files aside and no new log (the next
// start is empty and resyncs) or the new snapshot with its history.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "engine/replication/history.h"

namespace strongbox::engine::replication {

// `snapshot_path` ("" = the empty state) is moved to the directory as snapshot-<lsn>.
// Returns the directory the old files went to in *set_aside ("" if there were none).
absl::Status ReplaceDataFiles(io::FileSystem& fs, const std::string& dir,
                              const format::DatasetId& dataset, const std::string& snapshot_path,
                              uint64_t lsn, const History& history, int64_t now_ms,
                              std::string* set_aside);

}  // namespace strongbox::engine::replication
