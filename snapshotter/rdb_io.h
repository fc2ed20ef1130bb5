// Whole RDB files (Redis 7.0, RDB version 10) to and from the engine's state, with the value
// codec of common/rdb: import-rdb reads every database, expiries and function libraries into
// a State, export-rdb writes a State as an RDB file redis-server 7.0 loads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/state/state.h"

namespace strongbox::snapshotter {

struct RdbImportStats {
  uint64_t keys = 0;
  uint64_t expired_skipped = 0;  // keys whose expiry had passed at import (Redis drops them too)
  uint64_t libraries = 0;
};

// Parses an RDB image into `state` (empty beforehand). Damage is an error naming the offset.
absl::Status ReadRdb(std::string_view bytes, int64_t now_ms, state::State* state,
                     RdbImportStats* stats);
// The RDB image of `state`: keys already expired at `now_ms` are left out.
std::string WriteRdb(const state::State& state, int64_t now_ms);

// The subcommands: import-rdb FILE --dir DIR, export-rdb --dir DIR --out FILE [--lsn|--time].
int RunImportRdb(const std::string& rdb_path, const std::string& dir);
int RunExportRdb(const std::string& dir, const std::string& archive_dir, uint64_t to_lsn,
                 int64_t to_time_ms, const std::string& out_path);

}  // namespace strongbox::snapshotter
