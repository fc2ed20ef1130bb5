// ReplaySegment: contiguity check, then every new record through ApplyOp.
#include "common/state/segment_replay.h"

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/state/apply.h"

namespace strongbox::state {

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
  bool stopped = false;
  auto apply = [&](const format::RecordView& r) -> absl::Status {
    if (stopped || r.lsn <= position->lsn) return absl::OkStatus();
    if (stop_after_lsn != 0 && r.lsn > stop_after_lsn) {
      stopped = true;
      return absl::OkStatus();
    }
    absl::Status s =
        format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
          return ApplyOp(*state, db, argv);
        });
    if (!s.ok()) {
      return absl::DataLossError(
          absl::StrCat(path, ": record LSN ", r.lsn, " does not apply: ", s.message()));
    }
    position->lsn = r.lsn;
    position->timestamp_ms = r.timestamp_ms;
    ++position->records_applied;
    return absl::OkStatus();
  };
  auto scan = format::ScanSegment(fs, path, dataset, apply);
  if (!scan.ok()) return scan.status();
  if (scan->end == format::SegmentEnd::kDamage) return absl::DataLossError(scan->problem);
  return scan;
}

}  // namespace strongbox::state
