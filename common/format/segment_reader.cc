// The segment scanner: validates header, data set, LSN contiguity and every record, and
// tells a torn tail (cut on recovery) from damage (stops the engine).
#include "common/format/segment_reader.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"
#include "common/format/zstd_frame.h"

namespace strongbox::format {
namespace {

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Where the first record after `from` that validates and continues the LSN sequence starts
// (npos if none). If there is one, the bad bytes at `from` are not simply the end of the log.
size_t ValidRecordAfter(std::string_view data, size_t from, uint64_t lsn_next) {
  for (size_t pos = from + 1; pos + kRecordHeaderBytes <= data.size(); ++pos) {
    RecordView r;
    if (DecodeRecord(data.substr(pos), &r) == DecodeResult::kOk && r.lsn >= lsn_next) {
      return pos;
    }
  }
  return std::string_view::npos;
}

// Does [from, to) hold a block the disk never got: zeros from `from` (or the block's start)
// through the end of a 4 KiB block? An active segment's unacknowledged tail can reach the disk
// out of order: the kernel writes dirty blocks back in its own order, and pipelined batches
// (durable_log.h) are synced concurrently. Segments are zero-filled before use, so a block that
// never made it reads as zeros. Records after such a hole were never acknowledged: a reply waits
// until every byte before its record is durable. Rot (bit flips, garbage) leaves no zero block.
bool UnwrittenBlockIn(std::string_view data, size_t from, size_t to) {
  constexpr size_t kBlockBytes = 4096;
  for (size_t block = from / kBlockBytes * kBlockBytes; block + kBlockBytes <= to;
       block += kBlockBytes) {
    size_t lo = std::max(from, block);
    if (AllZero(data.substr(lo, block + kBlockBytes - lo))) return true;
  }
  return false;
}

SegmentScan Damage(const std::string& path, SegmentScan scan, uint64_t offset,
                   std::string_view why) {
  scan.end = SegmentEnd::kDamage;
  scan.problem_offset = offset;
  scan.problem = absl::StrCat(path, " at offset ", offset, ": ", std::string(why));
  return scan;
}

// Walks the records after a valid header; `scan` holds the header and is filled in.
absl::StatusOr<SegmentScan> ScanRecords(const std::string& path, std::string_view data,
                                        bool sealed_name, SegmentScan scan,
                                        const RecordFn& on_record) {
  uint64_t lsn_next = scan.header.lsn_first;
  scan.lsn_last = lsn_next - 1;
  size_t pos = kSegmentHeaderBytes;
  scan.valid_bytes = pos;
  while (pos < data.size()) {
    RecordView r;
    DecodeResult res = DecodeRecord(data.substr(pos), &r);
    if (res != DecodeResult::kOk) {
      std::string_view rest = data.substr(pos);
      if (AllZero(rest)) {
        scan.end = SegmentEnd::kClean;
        break;
      }
      size_t next_valid = sealed_name ? pos : ValidRecordAfter(data, pos, lsn_next);
      bool hole = next_valid != std::string_view::npos && !sealed_name &&
                  UnwrittenBlockIn(data, pos, next_valid);
      if (next_valid != std::string_view::npos && !hole) {
        return Damage(
            path, scan, pos,
            res == DecodeResult::kBadChecksum ? "record checksum mismatch" : "invalid record");
      }
      scan.end = SegmentEnd::kTornTail;
      scan.problem_offset = pos;
      scan.problem = absl::StrCat(path, ": torn tail of ", rest.size(), " bytes at offset ", pos,
                                  hole ? " (a block never written, then records written back out "
                                         "of order: never acknowledged)"
                                       : "");
      return scan;
    }
    if (r.type == RecordType::kSeal) {
      uint64_t last = 0, count = 0;
      if (!DecodeSeal(r.payload, &last, &count).ok() || last != scan.lsn_last ||
          count != scan.record_count) {
        return Damage(path, scan, pos, "seal record does not match the records before it");
      }
      pos += r.total_bytes;
      scan.valid_bytes = pos;
      if (!AllZero(data.substr(pos))) return Damage(path, scan, pos, "bytes after the seal record");
      scan.end = SegmentEnd::kSealed;
      return scan;
    }
    if (r.lsn != lsn_next) {
      return Damage(path, scan, pos,
                    absl::StrCat("LSN ", r.lsn, " where ", lsn_next, " was expected"));
    }
    if (on_record) {
      if (auto s = on_record(r); !s.ok()) return s;
    }
    ++lsn_next;
    ++scan.record_count;
    scan.lsn_last = r.lsn;
    pos += r.total_bytes;
    scan.valid_bytes = pos;
  }
  if (sealed_name) return Damage(path, scan, pos, "sealed segment has no seal record");
  return scan;
}

// Sealing writes the seal record, then truncates the file just after it; the new size can reach
// the disk before the seal record's bytes do. A file ending exactly one seal record after the
// last valid record, those bytes zero or typed as a seal, is that crash, not a cut.
bool SealInterrupted(std::string_view data, uint64_t valid_bytes) {
  constexpr size_t kSealRecordBytes = kRecordHeaderBytes + 16;  // header + last LSN + count
  if (data.size() != valid_bytes + kSealRecordBytes) return false;
  std::string_view tail = data.substr(valid_bytes);
  return AllZero(tail) || static_cast<uint8_t>(tail[12]) == static_cast<uint8_t>(RecordType::kSeal);
}

// A crash cannot shrink a preallocated file: an active segment shorter than its preallocated
// size with no seal record was cut by something else (an operator, a bad copy), and what was
// cut may have been acknowledged. Segments from before the header carried the size (0) keep
// the old classification.
SegmentScan CheckNotCut(const std::string& path, std::string_view data, SegmentScan scan) {
  uint64_t expected = scan.header.preallocated_bytes;
  if (expected == 0 || scan.file_bytes >= expected) return scan;
  if (scan.end == SegmentEnd::kSealed || scan.end == SegmentEnd::kDamage) return scan;
  if (SealInterrupted(data, scan.valid_bytes)) return scan;
  return Damage(path, scan, scan.file_bytes,
                absl::StrCat("the file is ", scan.file_bytes, " bytes, shorter than the ", expected,
                             " bytes preallocated when it was created, with no seal ",
                             "record: a crash cannot shrink it, so it was truncated (an operator, ",
                             "a bad copy) and acknowledged records may be missing"));
}

}  // namespace

absl::StatusOr<std::string> ReadSegmentBytes(io::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  auto bytes = (*file)->ReadAt(0, *size);
  if (!bytes.ok()) return bytes.status();
  if (absl::EndsWith(path, ".zst")) {
    auto raw = ZstdDecompress(*bytes);
    if (!raw.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", std::string(raw.status().message())));
    }
    return raw;
  }
  return bytes;
}

absl::StatusOr<SegmentScan> ScanSegment(io::FileSystem& fs, const std::string& path,
                                        const std::optional<DatasetId>& expected_dataset,
                                        const RecordFn& on_record) {
  auto bytes = ReadSegmentBytes(fs, path);
  if (!bytes.ok()) return bytes.status();
  FileKind kind = ParseFileName(path.substr(path.rfind('/') + 1)).kind;
  return ScanSegmentBytes(path, *bytes,
                          kind == FileKind::kSealed || kind == FileKind::kArchivedSegment,
                          expected_dataset, on_record);
}

absl::StatusOr<SegmentScan> ScanSegmentBytes(const std::string& path, std::string_view data,
                                             bool sealed_name,
                                             const std::optional<DatasetId>& expected_dataset,
                                             const RecordFn& on_record) {
  SegmentScan scan;
  scan.file_bytes = data.size();
  auto header = DecodeSegmentHeader(data);
  if (!header.ok()) {
    // A header that never reached the disk (crash right after creating the active file) is
    // the same as an empty torn segment; anywhere else it is damage. Records are written only
    // after the header is durable, so such a file is zeros throughout: a zeroed header with
    // bytes after it is damage, not an empty segment.
    if (!sealed_name && AllZero(data)) {
      scan.end = SegmentEnd::kTornTail;
      scan.problem = absl::StrCat(path, ": header never written (crash at creation)");
      return scan;
    }
    return Damage(path, scan, 0, std::string(header.status().message()));
  }
  scan.header = *header;
  if (expected_dataset && *expected_dataset != header->dataset_id) {
    return Damage(path, scan, 16,
                  absl::StrCat("belongs to data set ", DatasetIdHex(header->dataset_id),
                               ", expected ", DatasetIdHex(*expected_dataset)));
  }
  auto scanned = ScanRecords(path, data, sealed_name, std::move(scan), on_record);
  if (!scanned.ok() || sealed_name) return scanned;
  return CheckNotCut(path, data, *std::move(scanned));
}

}  // namespace strongbox::format
