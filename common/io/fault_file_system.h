// An in-memory FileSystem for tests: fault injection and power-loss simulation.
// Each file keeps the bytes a completed Fdatasync/Fsync made durable and the bytes written
// since; each directory keeps the entries its last FsyncDir made durable. SimulatePowerLoss()
// throws away everything not durable, like a power cut with a drive that honours flushes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/io/file_system.h"

namespace strongbox::io {

class FaultFileSystem final : public FileSystem {
 public:
  enum class Op {
    kOpenCreate,
    kWrite,
    kFdatasync,
    kFsync,
    kPreallocate,
    kTruncate,
    kRename,
    kUnlink,
    kFsyncDir,
    kRead
  };

  FaultFileSystem();
  ~FaultFileSystem() override;

  // The `nth` next call (1 = the very next) of `op` fails with `status`.
  void FailNth(Op op, int nth, absl::Status status);
  // ENOSPC on creating files, preallocating and writing past the end of a file.
  void SetFull(bool full);
  void SetReadOnly(bool read_only);
  // After `n` more mutating operations every operation fails with Aborted("simulated crash"),
  // so the code under test stops exactly there. Negative = never.
  void CrashAfterMutatingOps(int64_t n);
  bool crashed() const;
  // Power cut: every file goes back to its durable bytes and every directory to its durable
  // entries. Clears faults and the crash, as a reboot would.
  void SimulatePowerLoss();
  // Declares `dir` (and everything below it) a separate volume: renames across volumes fail
  // with EXDEV, SameVolume() is false.
  void AddVolume(const std::string& dir);
  // Test access to current contents (nullopt if absent).
  std::optional<std::string> Contents(const std::string& path) const;

  absl::StatusOr<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Unlink(const std::string& path) override;
  absl::Status FsyncDir(const std::string& dir) override;
  absl::Status CreateDir(const std::string& dir) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  absl::StatusOr<bool> Exists(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<int64_t> ModifiedTimeMs(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockExclusive(const std::string& path) override;
  // Test clock for ModifiedTimeMs: files record it when they are written.
  void SetClockMs(int64_t now_ms);
  absl::StatusOr<VolumeSpace> Space(const std::string& dir) override;
  absl::StatusOr<bool> SameVolume(const std::string& a, const std::string& b) override;

  struct Node {
    std::string current;
    std::string durable;
    int64_t modified_ms = 0;
  };
  struct Dir {
    std::map<std::string, std::shared_ptr<Node>> current;
    std::map<std::string, std::shared_ptr<Node>> durable;
  };
  // Used by the file handles; returns a non-OK status if the operation must fail.
  absl::Status Enter(Op op, const std::string& path, bool mutating);
  bool full() const { return full_; }
  int64_t clock_ms() const;

 private:
  std::string VolumeOf(const std::string& path) const;

  mutable std::recursive_mutex mu_;
  std::map<std::string, Dir> dirs_;
  std::map<Op, std::pair<int, absl::Status>> failures_;
  bool full_ = false;
  bool read_only_ = false;
  int64_t crash_after_ = -1;
  bool crashed_ = false;
  uint64_t mutating_ops_ = 0;
  std::vector<std::string> volumes_;
  std::set<std::string> locked_;  // paths held by a live FileLock
  int64_t clock_ms_ = 0;
};

}  // namespace strongbox::io
