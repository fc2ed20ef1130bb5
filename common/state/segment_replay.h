// Applies the records of one segment file to a State: the single replay loop shared by engine
// recovery and the snapshotter, so both rebuild exactly the same state from the same log.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/format/segment_reader.h"
#include "common/io/file_system.h"
#include "common/state/state.h"

namespace strongbox::state {

// Where a replay stands. Advanced record by record, so it stays true when a later record of
// the segment fails: the state then holds exactly the records up to `lsn`.
struct ReplayPosition {
  uint64_t lsn = 0;              // last LSN in the state
  int64_t timestamp_ms = 0;      // timestamp of the last record applied here (0 before one)
  uint64_t records_applied = 0;  // running count over every call
};

// Applies the records of segment `path` that come after position->lsn, through
// `stop_after_lsn` (0 = no limit); the rest of the segment is still read and validated.
// Errors: FailedPrecondition if the segment starts after position->lsn + 1 (a gap);
// DataLoss if it is damaged (foreign data set, rot, LSNs out of order) or a record does not
// apply; I/O errors as they come (NotFound: the file was archived meanwhile).
// The scan's `end` (sealed, clean, torn tail) is for the caller to judge.
absl::StatusOr<format::SegmentScan> ReplaySegment(io::FileSystem& fs, const std::string& path,
                                                  const format::DatasetId& dataset,
                                                  uint64_t stop_after_lsn, State* state,
                                                  ReplayPosition* position);

}  // namespace strongbox::state
