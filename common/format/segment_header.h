// The 64-byte header that opens every segment file, and its codec (docs/format.md).
//
// Segment header (64 bytes, little-endian):
//    0  8  magic "SBXLOG01"
//    8  4  format version (kLogFormatVersion)
//   12  4  header length (64)
//   16 16  data-set id
//   32  8  first LSN
//   40  8  created, Unix ms
//   48  8  reserved, 0
//   56  8  XXH3_64bits of bytes [0, 56)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/format/record_format.h"

namespace strongbox::format {

inline constexpr size_t kSegmentHeaderBytes = 64;
inline constexpr std::string_view kSegmentMagic = "SBXLOG01";

struct SegmentHeader {
  uint32_t format_version = kLogFormatVersion;
  DatasetId dataset_id{};
  uint64_t lsn_first = 0;
  int64_t created_ms = 0;
};
std::string EncodeSegmentHeader(const SegmentHeader& h);
// DataLoss for a truncated or damaged header, FailedPrecondition for another format version.
absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view bytes);

}  // namespace strongbox::format
