// The one seam through which every file operation on the persistence and archive directories
// goes (LevelDB's Env). Production uses PosixFileSystem; tests use FaultFileSystem
// (common/io/fault_file_system.h) to inject short writes, ENOSPC, EIO, read-only volumes, and
// to simulate power loss: dropping every byte and directory entry not covered by a completed
// fdatasync/fsync. Errors are absl::Status values carrying errno-derived codes and messages
// that name the path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strongbox::io {

class File {
 public:
  virtual ~File() = default;
  virtual const std::string& path() const = 0;
  // Writes all of `data` at `offset` (loops over short writes) or fails.
  virtual absl::Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // Reads up to `n` bytes at `offset`; a short result means end of file.
  virtual absl::StatusOr<std::string> ReadAt(uint64_t offset, size_t n) = 0;
  virtual absl::Status Fdatasync() = 0;
  virtual absl::Status Fsync() = 0;
  // Reserves [0, bytes) so later writes inside it do not change the file size (fallocate).
  virtual absl::Status Preallocate(uint64_t bytes) = 0;
  virtual absl::Status Truncate(uint64_t bytes) = 0;
  virtual absl::StatusOr<uint64_t> Size() = 0;
  // Real descriptor for io_uring submission, or -1 for simulated files (tests).
  virtual int fd() const = 0;
  // A hint, not a sync (nothing becomes durable by it; errors show at the fsync): starts
  // writing [offset, offset + bytes) back, first waiting for that range's write-back already
  // under way when `wait` is set. A long write that calls it per window keeps its dirty data
  // to about one window, so its final fsync is no burst that delays another process's
  // fdatasync on the same volume (sync_file_range; a no-op for simulated files).
  virtual void StartWriteback(uint64_t offset, uint64_t bytes, bool wait) {
    (void)offset, (void)bytes, (void)wait;
  }
};

// An exclusive advisory lock on a file (flock), held until the object is destroyed. It keeps a
// second engine (or snapshotter) off a directory; the kernel drops it when the process dies.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct VolumeSpace {
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  enum class OpenMode { kRead, kReadWrite, kCreateExclusive, kCreateOrTruncate };
  virtual absl::StatusOr<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;  // EXDEV kept
  virtual absl::Status Unlink(const std::string& path) = 0;
  virtual absl::Status FsyncDir(const std::string& dir) = 0;
  virtual absl::Status CreateDir(const std::string& dir) = 0;  // ok if it exists
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;  // names
  virtual absl::StatusOr<bool> Exists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Last modification, Unix ms (retention by age).
  virtual absl::StatusOr<int64_t> ModifiedTimeMs(const std::string& path) = 0;
  // Creates `path` if needed and locks it; FailedPrecondition if another holder has it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockExclusive(const std::string& path) = 0;
  virtual absl::StatusOr<VolumeSpace> Space(const std::string& dir) = 0;
  // Is `a` on the same filesystem as `b`? (decides rename vs copy for cross-volume moves)
  virtual absl::StatusOr<bool> SameVolume(const std::string& a, const std::string& b) = 0;
};

// The real thing, on POSIX calls. One process-wide instance.
FileSystem& DefaultFileSystem();

// errno -> Status with the operation and path in the message. Mapping (tests rely on it):
// ENOSPC/EDQUOT -> ResourceExhausted ("volume full"), EROFS/EACCES/EPERM -> PermissionDenied,
// ENOENT -> NotFound, EEXIST -> AlreadyExists, EXDEV -> FailedPrecondition("EXDEV: ..."),
// anything else -> Internal.
absl::Status ErrnoStatus(int err, std::string_view what, std::string_view path);
bool IsCrossDevice(const absl::Status& status);

}  // namespace strongbox::io
