// ReplaySegment: contiguity check, then every new record through ApplyOp, a batch at a time.
#include "common/state/segment_replay.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/state/apply.h"

namespace strongbox::state {
namespace {

// Applies records a batch at a time so that the cache misses of a batch's key lookups overlap:
// the ops of every record in the batch are parsed first (views into the segment's bytes,
// which ReplaySegment keeps until the last flush), the bucket slots and then the chains of their
// keys are asked for, then the ops are applied in order exactly as one at a time would. A table
// about to grow is grown at once (KeyTable::ResizeTo) rather than bucket by bucket: nothing is
// served during a replay, and an incremental resize moves every key a second time, a cache miss
// each.
class BatchApplier {
 public:
  BatchApplier(const std::string& path, State& state, ReplayPosition& position)
      : path_(path), state_(state), position_(position) {}

  absl::Status Add(const format::RecordView& r) {
    Record& rec = records_.emplace_back();
    rec.lsn = r.lsn;
    rec.timestamp_ms = r.timestamp_ms;
    rec.ops_begin = ops_.size();
    rec.parsed =
        format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
          ops_.push_back(Op{db, args_.size(), argv.size()});
          args_.insert(args_.end(), argv.begin(), argv.end());
          return absl::OkStatus();
        });
    rec.ops_end = ops_.size();
    return records_.size() >= kBatchRecords ? Flush() : absl::OkStatus();
  }

  // Applies what is buffered; the first record that does not apply is the error.
  absl::Status Flush() {
    Prefetch();
    absl::Status status;
    for (const Record& rec : records_) {
      status = ApplyRecord(rec);
      if (!status.ok()) break;
      position_.lsn = rec.lsn;
      position_.timestamp_ms = rec.timestamp_ms;
      ++position_.records_applied;
    }
    records_.clear();
    ops_.clear();
    args_.clear();
    return status;
  }

 private:
  static constexpr size_t kBatchRecords = 16;
  struct Op {
    uint8_t db;
    size_t args_begin;
    size_t argc;
  };
  struct Record {
    uint64_t lsn = 0;
    int64_t timestamp_ms = 0;
    size_t ops_begin = 0;
    size_t ops_end = 0;
    absl::Status parsed;  // a malformed payload fails after the ops before the damage
  };

  std::span<const std::string_view> Argv(const Op& op) const {
    return {args_.data() + op.args_begin, op.argc};
  }

  // Hints only: an op whose second word is not a key asks for a bucket it will not use.
  void Prefetch() {
    hashes_.clear();
    for (const Op& op : ops_) {
      hashes_.push_back(
          op.db < kDatabaseCount && op.argc >= 2 ? state_.db(op.db).PrefetchSlot(Argv(op)[1]) : 0);
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (ops_[i].db < kDatabaseCount && ops_[i].argc >= 2) {
        state_.db(ops_[i].db).PrefetchChain(hashes_[i]);
      }
    }
  }

  absl::Status ApplyRecord(const Record& rec) {
    absl::Status s;
    for (size_t i = rec.ops_begin; i < rec.ops_end && s.ok(); ++i) {
      const Op& op = ops_[i];
      if (op.db < kDatabaseCount) GrowAtOnce(state_.db(op.db));
      s = ApplyOp(state_, op.db, Argv(op));
    }
    if (s.ok()) s = rec.parsed;
    if (s.ok()) return s;
    return absl::DataLossError(
        absl::StrCat(path_, ": record LSN ", rec.lsn, " does not apply: ", s.message()));
  }

  // Where an insert would start an incremental grow, grows now in one pass.
  static void GrowAtOnce(Db& d) {
    const KeyTable& t = d.table();
    if (!t.rehashing() && t.size() > 0 && t.size() >= t.bucket_count()) d.ResizeTo(t.size() * 2);
  }

  const std::string& path_;
  State& state_;
  ReplayPosition& position_;
  std::vector<Record> records_;
  std::vector<Op> ops_;
  std::vector<std::string_view> args_;
  std::vector<uint64_t> hashes_;
};

}  // namespace

absl::StatusOr<format::SegmentScan> ReplaySegment(io::FileSystem& fs, const std::string& path,
                                                  const format::DatasetId& dataset,
                                                  uint64_t stop_after_lsn, State* state,
                                                  ReplayPosition* position) {
  // The name says where the segment starts, so a gap is found before reading a byte.
  format::ParsedName name = format::ParseFileName(path.substr(path.rfind('/') + 1));
  if (name.lsn_first > position->lsn + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": starts at LSN ", name.lsn_first, " but the state is at LSN ", position->lsn,
        " (LSNs ", position->lsn + 1, "..", name.lsn_first - 1, " are missing)"));
  }
  BatchApplier batch(path, *state, *position);
  uint64_t lsn_taken = position->lsn;  // the last record handed to the batch
  bool stopped = false;
  auto take = [&](const format::RecordView& r) -> absl::Status {
    if (stopped || r.lsn <= lsn_taken) return absl::OkStatus();
    if (stop_after_lsn != 0 && r.lsn > stop_after_lsn) {
      stopped = true;
      return absl::OkStatus();
    }
    lsn_taken = r.lsn;
    return batch.Add(r);
  };
  // Read here rather than through ScanSegment: the batch holds views into these bytes until
  // the last Flush below.
  auto bytes = format::ReadSegmentBytes(fs, path);
  if (!bytes.ok()) return bytes.status();
  format::FileKind kind = name.kind;
  bool sealed = kind == format::FileKind::kSealed || kind == format::FileKind::kArchivedSegment;
  auto scan = format::ScanSegmentBytes(path, *bytes, sealed, dataset, take);
  if (!scan.ok()) return scan.status();
  // Records before damage or a torn tail are applied, as they always were.
  if (auto s = batch.Flush(); !s.ok()) return s;
  if (scan->end == format::SegmentEnd::kDamage) return absl::DataLossError(scan->problem);
  return scan;
}

}  // namespace strongbox::state
