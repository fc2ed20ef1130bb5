// GenerationGuard: generation checks and publishing under replace.lock.
#include "snapshotter/generation_guard.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/format/replaced_logs.h"

namespace strongbox::snapshotter {

absl::StatusOr<std::unique_ptr<io::FileLock>> GenerationGuard::WaitForLock() {
  auto lock = format::TryLockReplace(fs_, dir_);
  // The engine holds it only for the renames of a replacement: wait them out.
  while (absl::IsFailedPrecondition(lock.status())) {
    usleep(5'000);
    lock = format::TryLockReplace(fs_, dir_);
  }
  return lock;
}

absl::Status GenerationGuard::Adopt(const std::function<absl::Status()>& list) {
  auto lock = WaitForLock();
  if (!lock.ok()) return lock.status();
  auto current = format::CurrentLogGeneration(fs_, dir_);
  if (!current.ok()) return current.status();
  adopted_ = *current;
  return list();
}

absl::StatusOr<bool> GenerationGuard::Changed() {
  auto current = format::CurrentLogGeneration(fs_, dir_);
  if (!current.ok()) return current.status();
  return *current != adopted_;
}

absl::Status GenerationGuard::PublishIfCurrent(const std::function<absl::Status()>& publish) {
  auto lock = WaitForLock();
  if (!lock.ok()) return lock.status();
  auto changed = Changed();
  if (!changed.ok()) return changed.status();
  if (*changed) {
    return absl::AbortedError(absl::StrCat(dir_, ": the log was replaced (a full resync)"));
  }
  return publish();
}

}  // namespace strongbox::snapshotter
