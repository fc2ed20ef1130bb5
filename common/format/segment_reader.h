// Reads a segment record by record and classifies how it ends: sealed, clean, a torn tail
// (a crash mid-write, safe to cut) or damage (never repaired silently).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/io/file_system.h"

namespace strongbox::format {

enum class SegmentEnd {
  kSealed,    // seal record found and consistent
  kClean,     // end of file or a zero-filled (preallocated) tail after the last record
  kTornTail,  // incomplete/garbage bytes after the last record and no valid record after them
  kDamage,    // anything else: bad header, foreign data set, rot followed by valid records,
              // non-contiguous LSN, bad record in a sealed segment
};

struct SegmentScan {
  SegmentHeader header;
  SegmentEnd end = SegmentEnd::kClean;
  uint64_t lsn_last = 0;      // last data record's LSN (lsn_first - 1 if none)
  uint64_t record_count = 0;  // data records
  uint64_t valid_bytes = 0;   // offset just after the last valid record (seal included)
  uint64_t file_bytes = 0;
  uint64_t problem_offset = 0;  // kTornTail / kDamage: where it starts
  std::string problem;          // human-readable, names the file and offset
};

// Reads a whole segment, calling `on_record` for each data record in order (may be empty).
// `expected_dataset` (if set) must match; the LSNs must be contiguous from the header's
// first LSN. An error from `on_record` stops the scan and is returned as is.
using RecordFn = std::function<absl::Status(const RecordView&)>;
absl::StatusOr<SegmentScan> ScanSegment(io::FileSystem& fs, const std::string& path,
                                        const std::optional<DatasetId>& expected_dataset,
                                        const RecordFn& on_record);
// The same over bytes already in memory (archived .log.zst segments, once decompressed).
// `sealed` says whether the bytes must end with a seal record.
absl::StatusOr<SegmentScan> ScanSegmentBytes(const std::string& path, std::string_view data,
                                             bool sealed,
                                             const std::optional<DatasetId>& expected_dataset,
                                             const RecordFn& on_record);

// Reads a segment's bytes whatever its form: .active/.log as is, .log.zst decompressed.
absl::StatusOr<std::string> ReadSegmentBytes(io::FileSystem& fs, const std::string& path);

}  // namespace strongbox::format
