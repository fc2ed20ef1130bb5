// The snapshot a full resync sends when no snapshot on disk is followed by the segments the
// replica needs (the segments were archived away or deleted, and no snapshot covers them): the
// only copy of the state is the engine's memory. A forked child writes it from its copy-on-write
// view of the keyspace — the consistent view Redis's BGSAVE uses — so the loop goes on serving
// while millions of keys are serialised; the parent polls the child without blocking.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"

namespace strongbox::engine::replication {

class SyncSnapshot {
 public:
  enum class Outcome { kIdle, kRunning, kWritten, kFailed };

  // `fs` must reach a real directory: the child writes through its copy of it.
  SyncSnapshot(io::FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}
  ~SyncSnapshot();  // a child still writing is killed and reaped

  // Forks the child that writes `state` at `lsn` into dir/snapshot-<lsn>; while one runs, the
  // snapshot it writes serves every full resync that asks (same path, same LSN).
  absl::Status Start(const state::State& state, const format::DatasetId& dataset, uint64_t lsn,
                     int64_t now_ms);
  bool running() const { return pid_ > 0; }
  uint64_t lsn() const { return lsn_; }
  const std::string& path() const { return path_; }
  // Reaps the child if it ended (kWritten once, then older snapshots of dir are removed).
  Outcome Poll();

 private:
  io::FileSystem& fs_;
  std::string dir_;
  pid_t pid_ = -1;
  uint64_t lsn_ = 0;
  std::string path_;
};

}  // namespace strongbox::engine::replication
