// Names of the files in the persistence directory (segments, archived segments, snapshots)
// and their parsing: the LSNs a file covers are in its name, so a listing needs no reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strongbox::format {

std::string LsnDigits(uint64_t lsn);  // 20-digit zero-padded
std::string ActiveSegmentName(uint64_t lsn_first);
std::string SealedSegmentName(uint64_t lsn_first, uint64_t lsn_last);
std::string ArchivedSegmentName(uint64_t lsn_first, uint64_t lsn_last);  // .log.zst
std::string SnapshotName(uint64_t lsn);
// Engine -> snapshotter: "write a snapshot covering at least this LSN" (BGSAVE, SAVE,
// BGREWRITEAOF): snapshot-request-<LSN>.req. Its temporary name ends in .tmp like every file
// being written. ParseFileName reports it as kOther: scans of segments and snapshots skip it.
std::string SnapshotRequestName(uint64_t lsn);
bool ParseSnapshotRequestName(std::string_view name, uint64_t* lsn);

enum class FileKind { kActive, kSealed, kArchivedSegment, kSnapshot, kTmp, kTorn, kOther };
struct ParsedName {
  FileKind kind = FileKind::kOther;
  uint64_t lsn_first = 0;  // segments
  uint64_t lsn_last = 0;   // sealed/archived segments; snapshot LSN for snapshots
  std::string name;
};
ParsedName ParseFileName(std::string_view name);

}  // namespace strongbox::format
