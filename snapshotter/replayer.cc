// Snapshot loading and segment application for the snapshotter, verify and restore.
#include "snapshotter/replayer.h"

#include "absl/strings/str_cat.h"
#include "common/format/record_codec.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace strongbox::snapshotter {

absl::Status Replayer::LoadSnapshot(const std::string& path) {
  state::State fresh;
  auto info = state::LoadSnapshot(fs_, path, dataset_, &fresh);
  if (!info.ok()) return info.status();
  state_ = std::move(fresh);
  applied_lsn_ = info->lsn;
  applied_timestamp_ms_ = info->timestamp_ms;
  return absl::OkStatus();
}

absl::Status Replayer::ApplySegment(const std::string& path, uint64_t stop_after_lsn,
                                    bool allow_unsealed) {
  format::ParsedName name = format::ParseFileName(path.substr(path.rfind('/') + 1));
  if (name.first_lsn > applied_lsn_ + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": starts at LSN ", name.first_lsn, " but the state is at LSN ", applied_lsn_,
        " (LSNs ", applied_lsn_ + 1, "..", name.first_lsn - 1, " are missing)"));
  }
  bool stop = false;
  auto scan =
      format::ScanSegment(fs_, path, dataset_, [&](const format::RecordView& r) -> absl::Status {
        if (stop || r.lsn <= applied_lsn_) return absl::OkStatus();
        if (stop_after_lsn != 0 && r.lsn > stop_after_lsn) {
          stop = true;
          return absl::OkStatus();
        }
        absl::Status s =
            format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
              return state::ApplyOp(state_, db, argv);
            });
        if (!s.ok()) {
          return absl::DataLossError(
              absl::StrCat(path, ": record LSN ", r.lsn, " does not apply: ", s.message()));
        }
        applied_lsn_ = r.lsn;
        applied_timestamp_ms_ = r.timestamp_ms;
        ++records_applied_;
        return absl::OkStatus();
      });
  if (!scan.ok()) return scan.status();
  bool complete = scan->end == format::SegmentEnd::kSealed ||
                  (allow_unsealed && scan->end != format::SegmentEnd::kDamage);
  if (!complete) {
    return absl::DataLossError(scan->problem.empty()
                                   ? absl::StrCat(path, ": not a complete sealed segment")
                                   : scan->problem);
  }
  return absl::OkStatus();
}

}  // namespace strongbox::snapshotter
