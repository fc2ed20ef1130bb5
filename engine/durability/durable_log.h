// The engine's command log: the active segment, the pending batch that gathers records while
// the previous write+fdatasync is in flight (group commit), and rotation (its only owner).
// I/O of batches is done by the caller (io_uring in the engine, the file seam in tests), so the
// same state machine runs in production and in the power-loss simulation:
//   Rotate() (opens the first segment) → BeginRecord/EndRecord* → TakeBatch() → caller writes
//   batch.data at batch.offset to batch.file and fdatasyncs it → BatchDurable(batch.id) →
//   Rotate(). Up to max_batches_in_flight batches may be on their way at once (pipelined group
//   commit); they may complete in any order, and the durable LSN advances over the oldest
//   completed ones only, so it never passes a batch still in flight.
// Segment files are prepared ahead of time by a SegmentPipeline; rotation promotes a prepared
// file (header, rename) and seals the old segment through io::FileSystem on the caller's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/format/dataset_id.h"
#include "common/format/record_codec.h"
#include "common/io/file_system.h"
#include "engine/durability/segment_pipeline.h"

namespace strongbox::engine {

struct DurableLogOptions {
  std::string dir;
  uint64_t segment_bytes = 64ull << 20;
  int64_t rotate_interval_ms = 60'000;
  // While the volume cannot take a new segment (full, read-only), preparation is retried this
  // often.
  int64_t readonly_retry_ms = 1000;
  // Prepare segment files on a thread (the engine) or inline in Rotate() (tests).
  bool prepare_in_background = false;
  // Prepared files leave the page cache (log writes with O_DIRECT: segment_pipeline.h).
  bool drop_prepared_page_cache = false;
  // Batches written and fdatasynced at once. One: a batch waits for the previous one's sync.
  // Two: the next batch's write+sync starts while the previous sync runs, so a request waits
  // for one sync rather than the rest of another and its own (the writes go to disjoint
  // ranges of the segment, so their order on disk does not matter).
  int max_batches_in_flight = 1;
};

class DurableLog {
 public:
  DurableLog(io::FileSystem& fs, DurableLogOptions options, format::DatasetId dataset,
             uint64_t lsn_last_durable);

  // Rotation, the one place segments are sealed and opened. When the active segment is full
  // (or the pending batch would overflow its prepared size), old enough, or `force` and it holds
  // records, and a prepared file is ready: seals it and promotes the prepared file to the next
  // segment. With no active segment (at start, or while the volume is full) it promotes one as
  // soon as one is ready. With none ready the active segment stays and takes the next batches
  // (it may grow past its prepared size). Does nothing while a batch is in flight. A volume
  // that cannot take a new segment (full, read-only) is not an error: accepting_writes() turns
  // false, read_only_reason() says why, and preparation is retried every readonly_retry_ms. An
  // error means the engine must stop (a failed seal fsync or rename, or any other failure to
  // prepare or promote a segment): the outcome on disk is unknown.
  absl::Status Rotate(int64_t now_ms, bool force = false);
  bool has_segment() const { return file_ != nullptr; }
  // New records may be accepted: a segment is open and the next one could be prepared, so every
  // record accepted has room on disk (accepted records never wait for space).
  bool accepting_writes() const;
  // Why writes are refused (empty while they are accepted).
  std::string read_only_reason() const;

  // Starts a record for the next LSN in the pending buffer; ops are added with builder().
  void BeginRecord(int64_t now_ms);
  format::RecordBuilder& builder() { return builder_; }
  // Finishes it if it holds ops (returns its LSN) or drops it (returns 0).
  uint64_t EndRecord();
  // A replica's record: its encoded bytes as the primary logged them, with the primary's LSN
  // (the next one). No record may be open.
  void AppendReplicated(std::string_view record, uint64_t lsn);
  // A replica's full resync: the log now continues after `lsn` of data set `dataset`. The active
  // segment (moved aside by the caller) is dropped unsealed; nothing may be pending or in flight.
  // Rotate() then opens the next segment.
  void ResetTo(uint64_t lsn, const format::DatasetId& dataset);

  struct Batch {
    uint64_t id = 0;  // for BatchDurable
    io::File* file = nullptr;
    uint64_t offset = 0;
    std::string_view data;  // stable until the batch is durable
    uint64_t lsn_last = 0;
    uint64_t records = 0;
  };
  // The pending records as one write, if fewer than max_batches_in_flight are in flight and
  // something is pending.
  std::optional<Batch> TakeBatch();
  bool batch_in_flight() const { return !in_flight_.empty(); }
  size_t batches_in_flight() const { return in_flight_.size(); }
  // Rotation by size or age is due (Rotate() acts once nothing is in flight; a pipelining
  // caller stops taking batches until then, so rotation never starves under load).
  bool rotation_due(int64_t now_ms) const { return RotationDue(now_ms, false); }
  // Batch `id` is written and fdatasynced. Returns true when the durable LSN advanced (every
  // older batch is durable too).
  bool BatchDurable(uint64_t id);
  bool BatchDurable() { return BatchDurable(in_flight_.front().id); }  // the oldest one

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
  bool RotationDue(int64_t now_ms, bool force) const;
  // Writes the header into a prepared file, renames it to the active name, opens it there.
  absl::Status Promote(std::unique_ptr<io::File> prepared, int64_t now_ms);

  io::FileSystem& fs_;
  DurableLogOptions options_;
  format::DatasetId dataset_;
  std::unique_ptr<SegmentPipeline> pipeline_;
  std::unique_ptr<io::File> file_;
  std::string path_;
  uint64_t segment_lsn_first_ = 0;
  uint64_t segment_records_ = 0;
  int64_t segment_opened_ms_ = 0;
  uint64_t write_offset_ = 0;  // where the next batch goes (after those in flight)

  struct InFlight {
    uint64_t id = 0;
    std::string data;  // stable memory for io_uring until durable
    uint64_t lsn_last = 0;
    uint64_t records = 0;
    bool durable = false;
  };
  std::string pending_;  // records gathering for the next batch
  size_t pending_records_ = 0;
  uint64_t pending_lsn_last_ = 0;
  std::deque<InFlight> in_flight_;  // oldest first; references stay valid on push_back
  std::vector<std::string> spare_;  // buffers of durable batches, reused (no reallocation)
  uint64_t next_batch_id_ = 1;
  format::RecordBuilder builder_;

  uint64_t lsn_assigned_;
  uint64_t lsn_durable_;
  uint64_t lsn_sealed_;
  uint64_t bytes_written_ = 0;
  uint64_t records_written_ = 0;
  uint64_t segments_sealed_ = 0;
  std::string promote_failure_;  // full or read-only volume while promoting a prepared file
};

// A segment file's prepared size: the rotation size plus an eighth of headroom, so that records
// accepted before a full volume was noticed still have written blocks to go to.
uint64_t PreparedBytes(uint64_t segment_bytes);

// Seals a segment whose records are all durable: seal record → truncate → fsync → rename to
// the sealed name → fsync the directory. `end_offset` is where the seal record goes.
absl::Status SealSegmentFile(io::FileSystem& fs, const std::string& dir, io::File& file,
                             uint64_t lsn_first, uint64_t lsn_last, uint64_t records,
                             uint64_t end_offset, int64_t now_ms);

}  // namespace strongbox::engine
