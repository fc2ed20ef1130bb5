// Snapshot loading and segment application for the snapshotter, verify and restore.
#include "snapshotter/replayer.h"

#include "absl/strings/str_cat.h"
#include "common/format/segment_reader.h"

namespace strongbox::snapshotter {

absl::Status Replayer::LoadSnapshot(const std::string& path) {
  state::State fresh;
  auto info = state::LoadSnapshot(fs_, path, dataset_, &fresh);
  if (!info.ok()) return info.status();
  state_ = std::move(fresh);
  position_.lsn = info->lsn;
  position_.timestamp_ms = info->timestamp_ms;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<state::SnapshotInfo>> Replayer::LoadNewestSnapshot(
    const std::vector<std::string>& paths, const LogFn& log) {
  auto loaded = state::LoadNewestSnapshot(fs_, paths, dataset_, &state_, log);
  if (!loaded.ok()) return loaded.status();
  position_.lsn = loaded->has_value() ? (*loaded)->lsn : 0;
  position_.timestamp_ms = loaded->has_value() ? (*loaded)->timestamp_ms : 0;
  return loaded;
}

absl::Status Replayer::ApplySegment(const std::string& path, uint64_t stop_after_lsn,
                                    bool allow_unsealed) {
  auto scan = state::ReplaySegment(fs_, path, dataset_, stop_after_lsn, &state_, &position_);
  if (!scan.ok()) return scan.status();
  // Damage is an error already; what is left to judge is whether the segment had to be sealed.
  bool complete = scan->end == format::SegmentEnd::kSealed || allow_unsealed;
  if (!complete) {
    return absl::DataLossError(scan->problem.empty()
                                   ? absl::StrCat(path, ": not a complete sealed segment")
                                   : scan->problem);
  }
  return absl::OkStatus();
}

}  // namespace strongbox::snapshotter
