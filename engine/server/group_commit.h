// The group-commit driver: when the pending records are written and fdatasynced (the FsyncMode
// policy), the linked write+fdatasync on the ring, and what follows a durable batch (rotation).
// A failed write or sync is never retried: its outcome is unknown, the process stops and
// recovery at the next start decides.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>

#include "engine/durability/durable_log.h"
#include "engine/server/config.h"
#include "engine/server/direct_log_writer.h"
#include "engine/server/engine_metrics.h"
#include "engine/server/ring.h"

namespace strongbox::engine {

class GroupCommit {
 public:
  GroupCommit(const EngineConfig& config, DurableLog& log, Ring& ring, EngineMetrics& metrics)
      : config_(config),
        log_(log),
        ring_(ring),
        metrics_(metrics),
        read_only_seen_(!log.accepting_writes()) {
    if (config.log_io_mode == LogIo::kDirect) direct_ = std::make_unique<DirectLogWriter>();
  }

  // Submits the pending records as one batch when due: at once in always mode or with `force`,
  // in interval mode once flush_interval_ms passed or batch_capacity records are pending.
  // Nothing happens while the log has as many batches in flight as it takes, while the previous
  // batch's write has not completed, while a rotation waits for those in flight to finish, or
  // without a segment (read-only).
  void MaybeFlush(int64_t now_ms, bool force);
  // After each record: interval mode flushes as soon as batch_capacity records are pending.
  void OnRecordAdded(int64_t now_ms);
  // `id`: the completion's ring id (which batch, and for a write the bytes it must have written).
  void OnWriteDone(int res, uint64_t id);
  // That batch is durable; log_.lsn_durable() advanced if every older batch is too. The caller
  // releases replies next.
  void OnSyncDone(int res, uint64_t id);
  // Seals/opens segments when due (size, time, read-only retry, `force`), measured and logged,
  // and flushes what waited once writes are accepted again. While batches are in flight it only
  // remembers `force`: MaybeFlush lets them drain and the next call rotates. Stops the process
  // on errors rotation cannot recover from.
  void Rotate(int64_t now_ms, bool force = false);

  uint64_t fsyncs() const { return fsyncs_; }
  double fsync_seconds_total() const { return fsync_seconds_total_; }
  double last_fsync_seconds() const { return last_fsync_seconds_; }  // LATENCY's "fsync"

 private:
  // The log's rotation, measured and logged; returns true when writes are accepted again.
  bool RotateLog(int64_t now_ms, bool force);
  // Where and what the batch's write puts on disk: the batch itself (buffered), or whole
  // blocks from the O_DIRECT writer. Falls back to buffered, once, if O_DIRECT is refused.
  DirectLogWriter::Write PlaceBatch(const DurableLog::Batch& batch);
  // Points the ring's fixed file and buffer at the O_DIRECT writer's segment and buffer;
  // false when there is no O_DIRECT writer or the kernel refused (plain descriptors then).
  bool UseFixedSlots();
  bool RefuseFixedSlots();  // logs once, returns false

  const EngineConfig& config_;
  DurableLog& log_;
  Ring& ring_;
  EngineMetrics& metrics_;
  std::unique_ptr<DirectLogWriter> direct_;  // --log-io direct
  bool fixed_slots_ok_ = true;
  uint64_t fixed_generation_ = 0;  // the segment in the fixed file slot (0: none)
  const char* fixed_buffer_ = nullptr;
  size_t fixed_buffer_bytes_ = 0;
  // The batches in flight, by DurableLog batch id modulo kSlots (at most 4 are in flight, with
  // consecutive ids). A completion's ring id carries its slot above bit 32 and, for a write,
  // the bytes it must have written below.
  struct InFlightBatch {
    uint64_t batch_id = 0;
    std::chrono::steady_clock::time_point started;
  };
  static constexpr uint64_t kSlots = 4;
  std::array<InFlightBatch, kSlots> slots_;
  bool rotation_wanted_ = false;  // a forced rotation waits for the batches in flight
  // Batches whose write has not completed. The next batch is written only once the previous
  // one's bytes are in the file: a block written back then holds both, so a crash can leave a
  // hole only of whole blocks, which recovery tells from rot (segment_reader.cc).
  int writes_pending_ = 0;
  int64_t last_flush_ms_ = 0;
  bool read_only_seen_ = false;
  uint64_t fsyncs_ = 0;
  double fsync_seconds_total_ = 0;
  double last_fsync_seconds_ = 0;
};

}  // namespace strongbox::engine
