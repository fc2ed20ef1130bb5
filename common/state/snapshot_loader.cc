// LoadNewestSnapshot: verify-while-loading, newest first.
#include "common/state/snapshot_loader.h"

#include "absl/strings/str_cat.h"

namespace strongbox::state {

absl::StatusOr<std::optional<SnapshotInfo>> LoadNewestSnapshot(
    io::FileSystem& fs, const std::vector<std::string>& paths, const format::DatasetId& dataset,
    State* state, const LogFn& log, const LoadOptions& options) {
  for (const std::string& path : paths) {
    // A snapshot that fails half way has filled part of the state: start each from empty.
    *state = State();
    auto loaded = LoadSnapshot(fs, path, dataset, state, options);
    if (loaded.ok()) return std::optional<SnapshotInfo>(*std::move(loaded));
    if (absl::IsNotFound(loaded.status())) return loaded.status();
    log(absl::StrCat("snapshot ", path, " is unusable (", loaded.status().ToString(),
                     "); falling back to an older one"));
  }
  *state = State();
  return std::optional<SnapshotInfo>();
}

}  // namespace strongbox::state
