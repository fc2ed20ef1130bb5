// Picks the snapshot to start from: the newest that verifies, falling back to older ones.
// Engine recovery, the snapshotter daemon and restore all start this way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/snapshot.h"
#include "common/state/state.h"
#include "common/util/log_fn.h"

namespace strongbox::state {

// Tries `paths` (newest first) and loads the first one that verifies into *state. Returns
// its info, or std::nullopt with an empty state when none verifies; every unusable one is
// logged ("... falling back to an older one"). NotFound is returned as is: the file was
// archived meanwhile, and falling back would skip a good snapshot; the caller lists again.
absl::StatusOr<std::optional<SnapshotInfo>> LoadNewestSnapshot(
    io::FileSystem& fs, const std::vector<std::string>& paths, const format::DatasetId& dataset,
    State* state, const LogFn& log, const LoadOptions& options = {});

}  // namespace strongbox::state
