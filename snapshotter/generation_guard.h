// The snapshotter's side of a replaced log (common/format/replaced_logs.h): a replica's full
// resync replaces the directory's files while the daemon replays, snapshots and archives them.
// The daemon adopts the directory's generation before it reads a file, starts over from the new
// files when the generation changes, and publishes (a snapshot into the directory, a file into
// the archive) only holding replace.lock and only if the generation is still the adopted one.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::snapshotter {

class GenerationGuard {
 public:
  GenerationGuard(io::FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // Takes the directory's current generation as the one the daemon's state is built from and
  // runs `list` (which reads the names of its files) holding replace.lock, so that what it sees
  // is a whole log, never one half replaced.
  absl::Status Adopt(const std::function<absl::Status()>& list);
  // Forgets the adopted generation: Changed() is true until the next Adopt.
  void Forget() { adopted_ = "?"; }
  // Was the log replaced since Adopt?
  absl::StatusOr<bool> Changed();
  // Runs `publish` holding replace.lock (waiting for the engine to finish a replacement) if the
  // generation is still the adopted one; Aborted, without running it, if the log was replaced.
  absl::Status PublishIfCurrent(const std::function<absl::Status()>& publish);

  const std::string& adopted() const { return adopted_; }

 private:
  io::FileSystem& fs_;
  std::string dir_;
  std::string adopted_;

  absl::StatusOr<std::unique_ptr<io::FileLock>> WaitForLock();
};

}  // namespace strongbox::snapshotter
