// Group commit state machine, and rotation: segment creation and sealing.
#include "engine/durability/durable_log.h"

#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/file_names.h"
#include "common/format/segment_header.h"
#include "common/util/check.h"

namespace strongbox::engine {

DurableLog::DurableLog(io::FileSystem& fs, DurableLogOptions options, format::DatasetId dataset,
                       uint64_t lsn_last_durable)
    : fs_(fs),
      options_(std::move(options)),
      dataset_(dataset),
      builder_(&pending_),
      lsn_assigned_(lsn_last_durable),
      lsn_durable_(lsn_last_durable),
      lsn_sealed_(lsn_last_durable) {}

absl::Status DurableLog::OpenSegment(int64_t now_ms) {
  SB_CHECK(file_ == nullptr, "a segment is already open");
  // Records may be pending (gathered while the previous segment was sealed, or while the
  // volume was full): they start at lsn_durable_ + 1, which is this segment's first LSN.
  SB_CHECK(!in_flight_, "a batch is in flight while opening a segment");
  uint64_t first = lsn_durable_ + 1;
  std::string path = absl::StrCat(options_.dir, "/", format::ActiveSegmentName(first));
  auto file = fs_.Open(path, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  // Preallocated space: an fdatasync of a record then has no file size to commit.
  absl::Status s = (*file)->Preallocate(options_.segment_bytes);
  format::SegmentHeader header{format::kLogFormatVersion, dataset_, first, now_ms};
  if (s.ok()) s = (*file)->WriteAt(0, format::EncodeSegmentHeader(header));
  if (s.ok()) s = (*file)->Fdatasync();
  if (s.ok()) s = fs_.FsyncDir(options_.dir);
  if (!s.ok()) {
    // Leave nothing half-made behind: a segment without a durable header and entry would be
    // read as torn at the next start; removing it keeps the directory clean.
    file->reset();
    (void)fs_.Unlink(path);
    return s;
  }
  file_ = std::move(*file);
  path_ = path;
  segment_lsn_first_ = first;
  segment_records_ = 0;
  segment_opened_ms_ = now_ms;
  write_offset_ = format::kSegmentHeaderBytes;
  return absl::OkStatus();
}

void DurableLog::BeginRecord(int64_t now_ms) { builder_.Begin(lsn_assigned_ + 1, now_ms); }

uint64_t DurableLog::EndRecord() {
  if (builder_.op_count() == 0) {
    builder_.Abort();
    return 0;
  }
  builder_.Finish();
  ++lsn_assigned_;
  ++pending_records_;
  pending_lsn_last_ = lsn_assigned_;
  return lsn_assigned_;
}

std::optional<DurableLog::Batch> DurableLog::TakeBatch() {
  if (in_flight_ || pending_records_ == 0 || file_ == nullptr) return std::nullopt;
  flushing_.swap(pending_);
  pending_.clear();
  flushing_lsn_last_ = pending_lsn_last_;
  flushing_records_ = pending_records_;
  pending_records_ = 0;
  in_flight_ = true;
  return Batch{file_.get(), write_offset_, flushing_, flushing_lsn_last_, flushing_records_};
}

void DurableLog::BatchDurable() {
  SB_CHECK(in_flight_, "completion without a batch in flight");
  SB_CHECK(flushing_lsn_last_ > lsn_durable_ && flushing_lsn_last_ <= lsn_assigned_,
           "durable LSN must advance and never pass the assigned LSN");
  write_offset_ += flushing_.size();
  bytes_written_ += flushing_.size();
  records_written_ += flushing_records_;
  segment_records_ += flushing_records_;
  lsn_durable_ = flushing_lsn_last_;
  flushing_.clear();
  in_flight_ = false;
}

absl::Status DurableLog::Rotate(int64_t now_ms, bool force) {
  if (in_flight_) return absl::OkStatus();
  if (file_ != nullptr) {
    bool full = write_offset_ >= options_.segment_bytes;
    bool old = segment_records_ > 0 && now_ms - segment_opened_ms_ >= options_.rotate_interval_ms;
    if (!full && !old && !(force && segment_records_ > 0)) return absl::OkStatus();
    if (absl::Status s = SealActive(now_ms); !s.ok()) return s;
    next_open_try_ms_ = 0;  // open the next one now
  }
  if (now_ms < next_open_try_ms_) return absl::OkStatus();
  absl::Status s = OpenSegment(now_ms);
  if (s.ok()) {
    read_only_reason_.clear();
    return s;
  }
  if (!absl::IsResourceExhausted(s) && !absl::IsPermissionDenied(s)) return s;
  // Records gathered meanwhile stay pending; they go into the next segment once space is back.
  read_only_reason_ = std::string(s.message());
  next_open_try_ms_ = now_ms + options_.readonly_retry_ms;
  return absl::OkStatus();
}

absl::Status DurableLog::SealActive(int64_t now_ms) {
  SB_CHECK(!in_flight_, "sealing with a batch in flight");
  if (file_ == nullptr) return absl::OkStatus();
  uint64_t last = segment_lsn_first_ + segment_records_ - 1;
  SB_CHECK(last == lsn_durable_, "sealing a segment whose records are not all durable");
  absl::Status s = SealSegmentFile(fs_, options_.dir, *file_, segment_lsn_first_, last,
                                   segment_records_, write_offset_, now_ms);
  if (!s.ok()) return s;
  file_.reset();
  path_.clear();
  lsn_sealed_ = last;
  ++segments_sealed_;
  return absl::OkStatus();
}

absl::Status SealSegmentFile(io::FileSystem& fs, const std::string& dir, io::File& file,
                             uint64_t lsn_first, uint64_t lsn_last, uint64_t records,
                             uint64_t end_offset, int64_t now_ms) {
  std::string seal;
  format::AppendSealRecord(&seal, lsn_last, records, now_ms);
  absl::Status s = file.WriteAt(end_offset, seal);
  // The preallocated tail is cut so sealed segments take only what they hold.
  if (s.ok()) s = file.Truncate(end_offset + seal.size());
  if (s.ok()) s = file.Fsync();
  if (!s.ok()) return s;
  std::string sealed = absl::StrCat(dir, "/", format::SealedSegmentName(lsn_first, lsn_last));
  if (s = fs.Rename(file.path(), sealed); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

}  // namespace strongbox::engine
