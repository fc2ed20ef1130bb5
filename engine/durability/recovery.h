// Engine start-up recovery: newest valid snapshot, then every later segment in LSN order.
// A torn tail of the active segment is cut (the bytes kept in a .torn file, the newest few of
// them only) and the segment sealed; any other damage, a truncated active segment included,
// stops the start with the file and offset named.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"
#include "common/util/log_fn.h"
#include "engine/durability/torn_files.h"

namespace strongbox::engine {

struct RecoveryResult {
  uint64_t lsn_last = 0;      // last LSN in the recovered state
  uint64_t lsn_snapshot = 0;  // 0 = started from empty
  std::string snapshot_path;
  uint64_t records_replayed = 0;
  uint64_t segments_replayed = 0;
  uint64_t torn_bytes = 0;  // bytes cut from the active segment's tail
  std::string torn_path;
};

// `load_threads` decode the snapshot (state::LoadOptions; 0: state::DefaultLoadThreads()).
absl::StatusOr<RecoveryResult> Recover(io::FileSystem& fs, const std::string& dir,
                                       const format::DatasetId& dataset, state::State* state,
                                       int64_t now_ms, const LogFn& log, int load_threads = 0);

}  // namespace strongbox::engine
