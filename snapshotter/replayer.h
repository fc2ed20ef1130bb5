// The snapshotter's copy of the state: loaded from a snapshot, advanced by applying whole
// segments in LSN order with the same ApplyOp as the engine.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/format/segment_format.h"
#include "common/io/file_system.h"
#include "common/state/state.h"

namespace strongbox::snapshotter {

class Replayer {
 public:
  Replayer(io::FileSystem& fs, format::DatasetId dataset) : fs_(fs), dataset_(dataset) {}

  // Resets to the state of a snapshot file (verified while loading).
  absl::Status LoadSnapshot(const std::string& path);
  // Applies the records of a sealed (or archived) segment that come after applied_lsn(),
  // stopping after `stop_after_lsn` (0 = no limit). A gap, damage or a foreign data set is
  // an error naming the file.
  absl::Status ApplySegment(const std::string& path, uint64_t stop_after_lsn = 0,
                            bool allow_unsealed = false);

  uint64_t applied_lsn() const { return applied_lsn_; }
  int64_t applied_timestamp_ms() const { return applied_timestamp_ms_; }
  uint64_t records_applied() const { return records_applied_; }
  state::State& state() { return state_; }

 private:
  io::FileSystem& fs_;
  format::DatasetId dataset_;
  state::State state_;
  uint64_t applied_lsn_ = 0;
  int64_t applied_timestamp_ms_ = 0;
  uint64_t records_applied_ = 0;
};

}  // namespace strongbox::snapshotter
