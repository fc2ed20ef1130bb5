// Group commit on io_uring (see group_commit.h).
#include "engine/server/group_commit.h"

#include <sys/uio.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/server/log_line.h"

namespace strongbox::engine {

void GroupCommit::MaybeFlush(int64_t now_ms, bool force) {
  if (log_.pending_records() == 0 || writes_pending_ > 0) return;
  // A rotation runs only with nothing in flight: stop adding batches until they are done.
  if (log_.batch_in_flight() && (rotation_wanted_ || log_.rotation_due(now_ms))) return;
  if (config_.fsync_mode == FsyncMode::kInterval && !force) {
    bool time_due = now_ms - last_flush_ms_ >= config_.flush_interval_ms;
    bool size_due = log_.pending_records() >= static_cast<size_t>(config_.batch_capacity);
    if (!time_due && !size_due) return;
  }
  // A batch never runs past its segment's prepared size when it can rotate first.
  RotateLog(now_ms, false);
  auto batch = log_.TakeBatch();
  if (!batch) return;  // no segment (read-only: the records wait for space), or enough in flight
  uint64_t slot = batch->id % kSlots;
  slots_[slot] = {batch->id, std::chrono::steady_clock::now()};
  ++writes_pending_;
  last_flush_ms_ = now_ms;
  metrics_.batch_records().Observe(static_cast<double>(batch->records));
  DirectLogWriter::Write write = PlaceBatch(*batch);
  bool fixed = UseFixedSlots();
  // The slot and the expected length travel in the write's user data.
  io_uring_sqe* w = ring_.Sqe(
      config_.log_sync_mode == LogSync::kDsyncWrite ? OpType::kLogWriteDsync : OpType::kLogWrite,
      slot << 32 | write.bytes);
  auto bytes = static_cast<unsigned>(write.bytes);
  if (fixed) {
    io_uring_prep_write_fixed(w, 0, write.data, bytes, write.offset, 0);
    w->flags |= IOSQE_FIXED_FILE;
  } else {
    io_uring_prep_write(w, write.fd, write.data, bytes, write.offset);
  }
  if (config_.log_sync_mode == LogSync::kDsyncWrite) {
    // One operation: a write the kernel completes only once its data is durable (RWF_DSYNC,
    // the data-integrity sync of the written range), so one io-wq hop instead of two — or
    // none for an O_DIRECT overwrite the kernel can issue inline.
    w->rw_flags = RWF_DSYNC;
  } else {
    // Write and fdatasync as one linked pair: the sync starts only if the write succeeded.
    w->flags |= IOSQE_IO_LINK;
    io_uring_sqe* s = ring_.Sqe(OpType::kLogSync, slot << 32);
    io_uring_prep_fsync(s, fixed ? 0 : write.fd, IORING_FSYNC_DATASYNC);
    if (fixed) s->flags |= IOSQE_FIXED_FILE;
  }
  ring_.Submit();
}

bool GroupCommit::UseFixedSlots() {
  if (direct_ == nullptr || !fixed_slots_ok_) return false;
  if (direct_->segment_generation() != fixed_generation_) {
    if (!ring_.SetLogFile(direct_->fd())) return RefuseFixedSlots();
    fixed_generation_ = direct_->segment_generation();
  }
  if (direct_->buffer() != fixed_buffer_ || direct_->capacity() != fixed_buffer_bytes_) {
    if (!ring_.SetLogBuffer(direct_->buffer(), direct_->capacity())) return RefuseFixedSlots();
    fixed_buffer_ = direct_->buffer();
    fixed_buffer_bytes_ = direct_->capacity();
  }
  return true;
}

bool GroupCommit::RefuseFixedSlots() {
  LogLine("io_uring refused registering the log's file or buffer: plain descriptors instead");
  fixed_slots_ok_ = false;
  return false;
}

DirectLogWriter::Write GroupCommit::PlaceBatch(const DurableLog::Batch& batch) {
  if (direct_ != nullptr) {
    auto write = direct_->Prepare(batch.file->path(), batch.offset, batch.data);
    if (write.ok()) return *write;
    if (!absl::IsInvalidArgument(write.status())) {
      FatalExit(absl::StrCat("log write: ", write.status().ToString()));
    }
    LogLine(absl::StrCat(write.status().message(), " (tmpfs?): --log-io buffered from now on"));
    direct_.reset();
  }
  return {batch.file->fd(), batch.data.data(), batch.data.size(), batch.offset};
}

void GroupCommit::OnRecordAdded(int64_t now_ms) {
  if (config_.fsync_mode == FsyncMode::kInterval &&
      log_.pending_records() >= static_cast<size_t>(config_.batch_capacity)) {
    MaybeFlush(now_ms, true);
  }
}

void GroupCommit::OnWriteDone(int res, uint64_t id) {
  uint64_t expected_bytes = id & 0xffff'ffffu;
  --writes_pending_;
  // A failed or short write also cancels the linked fdatasync.
  if (res < 0) FatalExit(absl::StrCat("write to ", log_.active_path(), ": ", strerror(-res)));
  if (static_cast<uint64_t>(res) != expected_bytes) {
    FatalExit(absl::StrCat("short write to ", log_.active_path(), ": ", res, " of ", expected_bytes,
                           " bytes (volume full?)"));
  }
}

void GroupCommit::OnSyncDone(int res, uint64_t id) {
  if (res < 0) {
    FatalExit(absl::StrCat("fdatasync of ", log_.active_path(), " failed: ",
                           res == -ECANCELED ? "the write before it was short" : strerror(-res),
                           " — not retried (the data's state is unknown); recovery at the next "
                           "start decides"));
  }
  const InFlightBatch& batch = slots_[(id >> 32) % kSlots];
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - batch.started).count();
  metrics_.fsync_seconds().Observe(seconds);
  ++fsyncs_;
  fsync_seconds_total_ += seconds;
  last_fsync_seconds_ = seconds;
  log_.BatchDurable(batch.batch_id);
}

void GroupCommit::Rotate(int64_t now_ms, bool force) {
  rotation_wanted_ = rotation_wanted_ || force;
  if (log_.batch_in_flight()) return;
  bool forced = std::exchange(rotation_wanted_, false);
  if (RotateLog(now_ms, forced)) MaybeFlush(now_ms, true);  // records gathered while read-only
}

bool GroupCommit::RotateLog(int64_t now_ms, bool force) {
  uint64_t sealed_before = log_.segments_sealed();
  auto start = std::chrono::steady_clock::now();
  if (auto s = log_.Rotate(now_ms, force); !s.ok()) FatalExit("rotation: " + s.ToString());
  if (log_.segments_sealed() != sealed_before) {
    // Sealing and promoting the next segment run on the loop: their time is a latency spike
    // every client sees, so it is measured.
    metrics_.rotation_seconds().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  // The segment pipeline changes this from its own thread: compare with what was seen last.
  bool read_only_now = !log_.accepting_writes();
  if (read_only_now == read_only_seen_) return false;
  read_only_seen_ = read_only_now;
  if (read_only_now) {
    LogLine("read-only until space is back: " + log_.read_only_reason());
    return false;
  }
  LogLine("space is back: accepting writes again");
  return true;
}

}  // namespace strongbox::engine
