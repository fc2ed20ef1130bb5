// Group commit state machine, and rotation: segment creation and sealing.
#include "engine/durability/durable_log.h"

#include <algorithm>

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
      lsn_sealed_(lsn_last_durable) {
  pipeline_ = std::make_unique<SegmentPipeline>(
      fs_, SegmentPipeline::Options{options_.dir, PreparedBytes(options_.segment_bytes),
                                    options_.readonly_retry_ms, options_.prepare_in_background,
                                    options_.drop_prepared_page_cache});
}

absl::Status DurableLog::Promote(std::unique_ptr<io::File> prepared, int64_t now_ms) {
  SB_CHECK(file_ == nullptr, "a segment is already open");
  // Records may be pending (gathered while the previous segment was sealed): they start at
  // lsn_durable_ + 1, which is this segment's first LSN.
  SB_CHECK(in_flight_.empty(), "a batch is in flight while opening a segment");
  uint64_t first = lsn_durable_ + 1;
  std::string path = absl::StrCat(options_.dir, "/", format::ActiveSegmentName(first));
  std::string prepared_path = prepared->path();
  // The header records the prepared size: recovery tells a truncated file from a torn tail by
  // it, since a crash cannot make the file shorter. Header durable first, then the name.
  format::SegmentHeader header{format::kLogFormatVersion, dataset_, first, now_ms,
                               PreparedBytes(options_.segment_bytes)};
  absl::Status s = prepared->WriteAt(0, format::EncodeSegmentHeader(header));
  if (s.ok()) s = prepared->Fdatasync();
  prepared.reset();
  if (s.ok()) s = fs_.Rename(prepared_path, path);
  if (s.ok()) s = fs_.FsyncDir(options_.dir);
  absl::StatusOr<std::unique_ptr<io::File>> file =
      s.ok() ? fs_.Open(path, io::FileSystem::OpenMode::kReadWrite) : s;
  if (!file.ok()) {
    // Leave nothing half-made behind: a prepared file is the pipeline's, an active segment
    // whose header or entry is not durable would be read as torn at the next start.
    (void)fs_.Unlink(prepared_path);
    (void)fs_.Unlink(path);
    return file.status();
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

void DurableLog::AppendReplicated(std::string_view record, uint64_t lsn) {
  SB_CHECK(!builder_.open(), "a replicated record while a command's record is open");
  SB_CHECK(lsn == lsn_assigned_ + 1, "replicated LSNs must follow the log's");
  pending_.append(record);
  lsn_assigned_ = lsn;
  ++pending_records_;
  pending_lsn_last_ = lsn;
}

void DurableLog::ResetTo(uint64_t lsn, const format::DatasetId& dataset) {
  SB_CHECK(in_flight_.empty() && pending_records_ == 0, "resetting a log with records on the way");
  file_.reset();
  path_.clear();
  pending_.clear();
  segment_records_ = 0;
  dataset_ = dataset;
  lsn_assigned_ = lsn_durable_ = lsn_sealed_ = lsn;
}

std::optional<DurableLog::Batch> DurableLog::TakeBatch() {
  if (in_flight_.size() >= static_cast<size_t>(std::max(1, options_.max_batches_in_flight)) ||
      pending_records_ == 0 || file_ == nullptr) {
    return std::nullopt;
  }
  InFlight& batch = in_flight_.emplace_back();
  batch.id = next_batch_id_++;
  if (!spare_.empty()) {
    batch.data = std::move(spare_.back());
    spare_.pop_back();
  }
  batch.data.swap(pending_);
  pending_.clear();
  batch.lsn_last = pending_lsn_last_;
  batch.records = pending_records_;
  pending_records_ = 0;
  uint64_t offset = write_offset_;
  write_offset_ += batch.data.size();
  return Batch{batch.id, file_.get(), offset, batch.data, batch.lsn_last, batch.records};
}

bool DurableLog::BatchDurable(uint64_t id) {
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [id](const InFlight& b) { return b.id == id; });
  SB_CHECK(it != in_flight_.end() && !it->durable, "completion for a batch not in flight");
  it->durable = true;
  bool advanced = false;
  while (!in_flight_.empty() && in_flight_.front().durable) {
    InFlight& done = in_flight_.front();
    SB_CHECK(done.lsn_last > lsn_durable_ && done.lsn_last <= lsn_assigned_,
             "durable LSN must advance and never pass the assigned LSN");
    bytes_written_ += done.data.size();
    records_written_ += done.records;
    segment_records_ += done.records;
    lsn_durable_ = done.lsn_last;
    done.data.clear();
    spare_.push_back(std::move(done.data));
    in_flight_.pop_front();
    advanced = true;
  }
  return advanced;
}

uint64_t PreparedBytes(uint64_t segment_bytes) { return segment_bytes + segment_bytes / 8; }

bool DurableLog::RotationDue(int64_t now_ms, bool force) const {
  if (file_ == nullptr) return true;
  if (segment_records_ == 0) return false;
  // Rotating before a batch that would overflow keeps segments within their prepared (written)
  // blocks, so a record's fdatasync never has to allocate.
  bool full = write_offset_ + pending_.size() > options_.segment_bytes;
  bool old = now_ms - segment_opened_ms_ >= options_.rotate_interval_ms;
  return full || old || force;
}

absl::Status DurableLog::Rotate(int64_t now_ms, bool force) {
  pipeline_->Tick(now_ms);
  if (!in_flight_.empty() || !RotationDue(now_ms, force)) return absl::OkStatus();
  // Past the rotation size a segment runs on into its headroom only while the volume cannot
  // give a next one; while one is being prepared, rotation waits for it (a stall only when
  // writes outrun zero-filling).
  bool must_rotate = file_ != nullptr && write_offset_ + pending_.size() > options_.segment_bytes;
  auto prepared = pipeline_->Take(/*wait=*/must_rotate);
  if (!prepared.ok()) return prepared.status();
  if (*prepared == nullptr) return absl::OkStatus();  // the active segment takes more meanwhile
  if (absl::Status s = SealActive(now_ms); !s.ok()) return s;
  absl::Status s = Promote(std::move(*prepared), now_ms);
  if (s.ok()) {
    promote_failure_.clear();
    return s;
  }
  if (!absl::IsResourceExhausted(s) && !absl::IsPermissionDenied(s)) return s;
  // Rare: the volume turned read-only (or full) between preparation and promotion. Records
  // gathered meanwhile stay pending; they go into the next segment once one is promoted.
  promote_failure_ = std::string(s.message());
  return absl::OkStatus();
}

bool DurableLog::accepting_writes() const {
  return file_ != nullptr && pipeline_->failure().empty();
}

std::string DurableLog::read_only_reason() const {
  if (accepting_writes()) return "";
  std::string why = pipeline_->failure();
  if (why.empty()) why = promote_failure_;
  return why.empty() ? "no log segment is open yet" : why;
}

absl::Status DurableLog::SealActive(int64_t now_ms) {
  SB_CHECK(in_flight_.empty(), "sealing with a batch in flight");
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
