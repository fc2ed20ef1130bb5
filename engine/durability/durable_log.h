// The engine's command log: the active segment, the pending batch that gathers records while
// the previous write+fdatasync is in flight (group commit), and rotation (its only owner).
// I/O of batches is done by the caller (io_uring in the engine, the file seam in tests), so the
// same state machine runs in production and in the power-loss simulation:
//   Rotate() (opens the first segment) → BeginRecord/EndRecord* → TakeBatch() → caller writes
//   batch.data at batch.offset to batch.file and fdatasyncs it → BatchDurable() → Rotate().
// Segment creation and sealing go through io::FileSystem (synchronous, rare: once per segment).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/format/dataset_id.h"
#include "common/format/record_codec.h"
#include "common/io/file_system.h"

namespace strongbox::engine {

struct DurableLogOptions {
  std::string dir;
  uint64_t segment_bytes = 64ull << 20;
  int64_t rotate_interval_ms = 60'000;
  // While the volume cannot take a new segment (full, read-only), Rotate() retries this often.
  int64_t readonly_retry_ms = 1000;
};

class DurableLog {
 public:
  DurableLog(io::FileSystem& fs, DurableLogOptions options, format::DatasetId dataset,
             uint64_t lsn_last_durable);

  // Rotation, the one place segments are sealed and opened: seals the active segment when it is
  // full or old enough (or `force` and it holds records), then opens the next one; with no
  // active segment (at start, after a seal, while read-only) it opens one. Does nothing while a
  // batch is in flight. A volume that cannot take a new segment (full, read-only) is not an
  // error: has_segment() stays false, read_only_reason() says why, and the next call after
  // readonly_retry_ms tries again. An error means the engine must stop (a failed seal fsync or
  // rename, or any other failure to create a segment): the outcome on disk is unknown.
  absl::Status Rotate(int64_t now_ms, bool force = false);
  bool has_segment() const { return file_ != nullptr; }
  // Why writes are refused (empty while a segment is open).
  const std::string& read_only_reason() const { return read_only_reason_; }

  // Starts a record for the next LSN in the pending buffer; ops are added with builder().
  void BeginRecord(int64_t now_ms);
  format::RecordBuilder& builder() { return builder_; }
  // Finishes it if it holds ops (returns its LSN) or drops it (returns 0).
  uint64_t EndRecord();

  struct Batch {
    io::File* file = nullptr;
    uint64_t offset = 0;
    std::string_view data;
    uint64_t lsn_last = 0;
    uint64_t records = 0;
  };
  // The pending records as one write, if none is in flight and something is pending.
  std::optional<Batch> TakeBatch();
  bool batch_in_flight() const { return in_flight_; }
  // The in-flight batch is written and fdatasynced.
  void BatchDurable();

  // Seals the active segment without opening another (graceful shutdown). Nothing may be in
  // flight.
  absl::Status SealActive(int64_t now_ms);

  uint64_t lsn_assigned() const { return lsn_assigned_; }
  uint64_t lsn_durable() const { return lsn_durable_; }
  uint64_t lsn_sealed() const { return lsn_sealed_; }
  size_t pending_records() const { return pending_records_; }
  uint64_t pending_bytes() const { return pending_.size(); }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t records_written() const { return records_written_; }
  uint64_t segments_sealed() const { return segments_sealed_; }
  const std::string& active_path() const { return path_; }

 private:
  absl::Status OpenSegment(int64_t now_ms);

  io::FileSystem& fs_;
  DurableLogOptions options_;
  format::DatasetId dataset_;
  std::unique_ptr<io::File> file_;
  std::string path_;
  uint64_t segment_lsn_first_ = 0;
  uint64_t segment_records_ = 0;
  int64_t segment_opened_ms_ = 0;
  uint64_t write_offset_ = 0;  // where the next batch goes

  std::string pending_;   // records gathering for the next batch
  std::string flushing_;  // the batch in flight (stable memory for io_uring)
  size_t pending_records_ = 0;
  uint64_t pending_lsn_last_ = 0;
  uint64_t flushing_lsn_last_ = 0;
  uint64_t flushing_records_ = 0;
  bool in_flight_ = false;
  format::RecordBuilder builder_;

  uint64_t lsn_assigned_;
  uint64_t lsn_durable_;
  uint64_t lsn_sealed_;
  uint64_t bytes_written_ = 0;
  uint64_t records_written_ = 0;
  uint64_t segments_sealed_ = 0;
  std::string read_only_reason_;
  int64_t next_open_try_ms_ = 0;
};

// Seals a segment whose records are all durable: seal record → truncate → fsync → rename to
// the sealed name → fsync the directory. `end_offset` is where the seal record goes.
absl::Status SealSegmentFile(io::FileSystem& fs, const std::string& dir, io::File& file,
                             uint64_t lsn_first, uint64_t lsn_last, uint64_t records,
                             uint64_t end_offset, int64_t now_ms);

}  // namespace strongbox::engine
