// The snapshotter's copy of the state: loaded from a snapshot, advanced by applying whole
// segments in LSN order with the same replay as engine recovery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/segment_replay.h"
#include "common/state/snapshot.h"
#include "common/state/snapshot_loader.h"
#include "common/state/state.h"

namespace strongbox::snapshotter {

class Replayer {
 public:
  Replayer(io::FileSystem& fs, format::DatasetId dataset) : fs_(fs), dataset_(dataset) {}

  // Resets to the state of a snapshot file (verified while loading).
  absl::Status LoadSnapshot(const std::string& path);
  // Resets to the newest of `paths` (newest first) that verifies; see state::LoadNewestSnapshot.
  absl::StatusOr<std::optional<state::SnapshotInfo>> LoadNewestSnapshot(
      const std::vector<std::string>& paths, const state::LogFn& log);
  // Applies the records of a sealed (or archived) segment that come after lsn_applied(),
  // stopping after `stop_after_lsn` (0 = no limit). A gap, damage or a foreign data set is
  // an error naming the file.
  absl::Status ApplySegment(const std::string& path, uint64_t stop_after_lsn = 0,
                            bool allow_unsealed = false);

  uint64_t lsn_applied() const { return position_.lsn; }
  int64_t applied_timestamp_ms() const { return position_.timestamp_ms; }
  uint64_t records_applied() const { return position_.records_applied; }
  state::State& state() { return state_; }

 private:
  io::FileSystem& fs_;
  format::DatasetId dataset_;
  state::State state_;
  state::ReplayPosition position_;
};

}  // namespace strongbox::snapshotter
