// The primary's reader of its own log for one replica: whole data records from an LSN on, in
// the segment record format, read from the segment files (hot, then archived/) in bounded
// chunks. Live records are read the same way from the active segment once durable, so a slow
// replica costs a file position, never memory, and catch-up and the live stream are one path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::engine::replication {

class SegmentCursor {
 public:
  SegmentCursor(io::FileSystem& fs, std::string dir, std::string archive_dir, uint64_t next_lsn)
      : fs_(fs), dir_(std::move(dir)), archive_dir_(std::move(archive_dir)), next_lsn_(next_lsn) {}

  // Appends to *out whole records with LSN next_lsn()..lsn_durable, scanning about `max_bytes`
  // of the log (records before next_lsn() that it skips count too, so one call is bounded).
  // Returns the number appended: 0 when nothing is durable yet, or when this call only skipped.
  // NotFound: the segment holding next_lsn() is gone (the replica needs a full resync);
  // DataLoss: a durable record does not decode.
  absl::StatusOr<size_t> Read(uint64_t lsn_durable, size_t max_bytes, std::string* out);
  uint64_t next_lsn() const { return next_lsn_; }

  // Whether a segment (hot or archived) holding `lsn` exists now.
  static bool Available(io::FileSystem& fs, const std::string& dir, const std::string& archive_dir,
                        uint64_t lsn);

 private:
  absl::Status Locate();
  // The next bytes of the current file from `offset_`, at least `min_bytes` if it has them;
  // about what `records_due` records take once the cursor follows the live end.
  absl::StatusOr<std::string> Chunk(size_t min_bytes, uint64_t records_due);

  io::FileSystem& fs_;
  std::string dir_;
  std::string archive_dir_;
  uint64_t next_lsn_;
  std::unique_ptr<io::File> file_;  // hot segment (.active or .log)
  std::string whole_;               // archived .log.zst, decompressed
  bool in_memory_ = false;
  bool open_ = false;
  uint64_t offset_ = 0;
  bool caught_up_ = false;           // the last Read reached the durable LSN
  uint64_t avg_record_bytes_ = 256;  // of the records read last
};

}  // namespace strongbox::engine::replication
