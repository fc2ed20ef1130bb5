// The generation of a directory's log and the lock around replacing it.
#include "common/format/replaced_logs.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strongbox::format {

absl::StatusOr<std::string> CurrentLogGeneration(io::FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  std::string newest;
  uint64_t newest_ms = 0;
  for (const std::string& n : *names) {
    uint64_t ms = 0;
    if (!absl::StartsWith(n, kReplacedPrefix)) continue;
    if (!absl::SimpleAtoi(n.substr(sizeof(kReplacedPrefix) - 1), &ms)) continue;
    if (newest.empty() || ms > newest_ms) {
      newest = n;
      newest_ms = ms;
    }
  }
  return newest;
}

absl::StatusOr<std::unique_ptr<io::FileLock>> TryLockReplace(io::FileSystem& fs,
                                                             const std::string& dir) {
  return fs.LockExclusive(absl::StrCat(dir, "/", kReplaceLockFile));
}

}  // namespace strongbox::format
