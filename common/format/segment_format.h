// Segment files: header, data-set identity, names in the persistence directory, and the
// reader that tells a torn tail from damage. Bytes are in docs/format.md.
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

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/format/record_codec.h"
#include "common/io/file_system.h"

namespace strongbox::format {

inline constexpr size_t kSegmentHeaderBytes = 64;
inline constexpr std::string_view kSegmentMagic = "SBXLOG01";

using DatasetId = std::array<uint8_t, 16>;
std::string DatasetIdHex(const DatasetId& id);

struct SegmentHeader {
  uint32_t format_version = kLogFormatVersion;
  DatasetId dataset_id{};
  uint64_t first_lsn = 0;
  int64_t created_ms = 0;
};
std::string EncodeSegmentHeader(const SegmentHeader& h);
absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view bytes);

// dataset.id: "strongbox-dataset <32 hex digits>\nformat <version>\n", written once.
inline constexpr std::string_view kDatasetIdFile = "dataset.id";
absl::StatusOr<DatasetId> LoadDatasetId(io::FileSystem& fs, const std::string& dir);
// Loads the id, or creates it when the directory holds no segment or snapshot yet.
absl::StatusOr<DatasetId> LoadOrCreateDatasetId(io::FileSystem& fs, const std::string& dir);
absl::Status WriteDatasetId(io::FileSystem& fs, const std::string& dir, const DatasetId& id);

// ---- names --------------------------------------------------------------------------------
std::string LsnDigits(uint64_t lsn);  // 20-digit zero-padded
std::string ActiveSegmentName(uint64_t first_lsn);
std::string SealedSegmentName(uint64_t first_lsn, uint64_t last_lsn);
std::string ArchivedSegmentName(uint64_t first_lsn, uint64_t last_lsn);  // .log.zst
std::string SnapshotName(uint64_t lsn);

enum class FileKind { kActive, kSealed, kArchivedSegment, kSnapshot, kTmp, kTorn, kOther };
struct ParsedName {
  FileKind kind = FileKind::kOther;
  uint64_t first_lsn = 0;  // segments
  uint64_t last_lsn = 0;   // sealed/archived segments; snapshot LSN for snapshots
  std::string name;
};
ParsedName ParseFileName(std::string_view name);

struct DirectoryListing {
  std::vector<ParsedName> active;     // by first LSN
  std::vector<ParsedName> sealed;     // by first LSN
  std::vector<ParsedName> archived;   // by first LSN
  std::vector<ParsedName> snapshots;  // by LSN, oldest first
  std::vector<ParsedName> tmp;
};
absl::StatusOr<DirectoryListing> ScanDirectory(io::FileSystem& fs, const std::string& dir);

// ---- reading -----------------------------------------------------------------------------
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
  uint64_t last_lsn = 0;      // last data record's LSN (first_lsn - 1 if none)
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
// One zstd frame with content checksum, for archived segments.
absl::StatusOr<std::string> ZstdCompress(std::string_view data, int level);
absl::StatusOr<std::string> ZstdDecompress(std::string_view frame);

}  // namespace strongbox::format
