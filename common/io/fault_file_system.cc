// In-memory fault-injecting filesystem (see fault_file_system.h).
#include "common/io/fault_file_system.h"

#include <cerrno>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strongbox::io {
namespace {

std::pair<std::string, std::string> Split(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

class FaultFile final : public File {
 public:
  FaultFile(FaultFileSystem* fs, std::string path, std::shared_ptr<FaultFileSystem::Node> node)
      : fs_(fs), path_(std::move(path)), node_(std::move(node)) {}
  const std::string& path() const override { return path_; }
  int fd() const override { return -1; }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    if (auto s = fs_->Enter(FaultFileSystem::Op::kWrite, path_, true); !s.ok()) return s;
    std::string& cur = node_->current;
    if (fs_->full() && offset + data.size() > cur.size()) {
      return ErrnoStatus(ENOSPC, "write", path_);
    }
    if (cur.size() < offset + data.size()) cur.resize(offset + data.size(), '\0');
    cur.replace(offset, data.size(), data);
    node_->modified_ms = fs_->clock_ms();
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> ReadAt(uint64_t offset, size_t n) override {
    if (auto s = fs_->Enter(FaultFileSystem::Op::kRead, path_, false); !s.ok()) return s;
    const std::string& cur = node_->current;
    if (offset >= cur.size()) return std::string();
    return cur.substr(offset, n);
  }
  absl::Status Fdatasync() override { return Sync(FaultFileSystem::Op::kFdatasync); }
  absl::Status Fsync() override { return Sync(FaultFileSystem::Op::kFsync); }
  absl::Status Preallocate(uint64_t bytes) override {
    if (auto s = fs_->Enter(FaultFileSystem::Op::kPreallocate, path_, true); !s.ok()) return s;
    if (fs_->full()) return ErrnoStatus(ENOSPC, "fallocate", path_);
    if (node_->current.size() < bytes) node_->current.resize(bytes, '\0');
    return absl::OkStatus();
  }
  absl::Status Truncate(uint64_t bytes) override {
    if (auto s = fs_->Enter(FaultFileSystem::Op::kTruncate, path_, true); !s.ok()) return s;
    node_->current.resize(bytes, '\0');
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Size() override { return node_->current.size(); }

 private:
  absl::Status Sync(FaultFileSystem::Op op) {
    if (auto s = fs_->Enter(op, path_, true); !s.ok()) return s;
    node_->durable = node_->current;
    return absl::OkStatus();
  }
  FaultFileSystem* fs_;
  std::string path_;
  std::shared_ptr<FaultFileSystem::Node> node_;
};

}  // namespace

FaultFileSystem::FaultFileSystem() { dirs_["/"]; }
FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::FailNth(Op op, int nth, absl::Status status) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  failures_[op] = {nth, std::move(status)};
}
void FaultFileSystem::SetFull(bool full) { full_ = full; }
void FaultFileSystem::SetReadOnly(bool read_only) { read_only_ = read_only; }
void FaultFileSystem::CrashAfterMutatingOps(int64_t n) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  crash_after_ = n < 0 ? -1 : static_cast<int64_t>(mutating_ops_) + n;
}
bool FaultFileSystem::crashed() const { return crashed_; }

absl::Status FaultFileSystem::Enter(Op op, const std::string& path, bool mutating) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (crashed_) return absl::AbortedError("simulated crash");
  if (mutating && crash_after_ >= 0 && static_cast<int64_t>(mutating_ops_) >= crash_after_) {
    crashed_ = true;
    return absl::AbortedError("simulated crash");
  }
  auto it = failures_.find(op);
  if (it != failures_.end() && --it->second.first <= 0) {
    absl::Status s = it->second.second;
    failures_.erase(it);
    return s;
  }
  if (mutating && read_only_ && op != Op::kFsync && op != Op::kFdatasync && op != Op::kFsyncDir) {
    return ErrnoStatus(EROFS, "modify", path);
  }
  if (mutating) ++mutating_ops_;
  return absl::OkStatus();
}

void FaultFileSystem::SimulatePowerLoss() {
  std::lock_guard<std::recursive_mutex> l(mu_);
  for (auto& [name, dir] : dirs_) {
    dir.current = dir.durable;
    for (auto& [entry, node] : dir.current) node->current = node->durable;
  }
  failures_.clear();
  crash_after_ = -1;
  crashed_ = false;
  full_ = false;
  read_only_ = false;
}

void FaultFileSystem::AddVolume(const std::string& dir) { volumes_.push_back(dir); }

std::string FaultFileSystem::VolumeOf(const std::string& path) const {
  std::string best = "/";
  for (const auto& v : volumes_) {
    if ((path == v || absl::StartsWith(path, v + "/")) && v.size() > best.size()) best = v;
  }
  return best;
}

std::optional<std::string> FaultFileSystem::Contents(const std::string& path) const {
  std::lock_guard<std::recursive_mutex> l(mu_);
  auto [dir, name] = Split(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) return std::nullopt;
  auto f = d->second.current.find(name);
  if (f == d->second.current.end()) return std::nullopt;
  return f->second->current;
}

absl::StatusOr<std::unique_ptr<File>> FaultFileSystem::Open(const std::string& path,
                                                            OpenMode mode) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  auto [dir, name] = Split(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) return ErrnoStatus(ENOENT, "open", path);
  auto it = d->second.current.find(name);
  bool create = mode == OpenMode::kCreateExclusive || mode == OpenMode::kCreateOrTruncate;
  if (!create) {
    if (auto s = Enter(Op::kRead, path, false); !s.ok()) return s;
    if (it == d->second.current.end()) return ErrnoStatus(ENOENT, "open", path);
    return std::unique_ptr<File>(new FaultFile(this, path, it->second));
  }
  if (auto s = Enter(Op::kOpenCreate, path, true); !s.ok()) return s;
  if (it != d->second.current.end()) {
    if (mode == OpenMode::kCreateExclusive) return ErrnoStatus(EEXIST, "open", path);
    it->second->current.clear();
    return std::unique_ptr<File>(new FaultFile(this, path, it->second));
  }
  if (full_) return ErrnoStatus(ENOSPC, "open", path);
  auto node = std::make_shared<Node>();
  d->second.current[name] = node;
  return std::unique_ptr<File>(new FaultFile(this, path, node));
}

absl::Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (auto s = Enter(Op::kRename, from, true); !s.ok()) return s;
  if (VolumeOf(from) != VolumeOf(to)) {
    return ErrnoStatus(EXDEV, "rename", absl::StrCat(from, " -> ", to));
  }
  auto [fdir, fname] = Split(from);
  auto [tdir, tname] = Split(to);
  auto fd = dirs_.find(fdir);
  auto td = dirs_.find(tdir);
  if (fd == dirs_.end() || td == dirs_.end()) return ErrnoStatus(ENOENT, "rename", from);
  auto it = fd->second.current.find(fname);
  if (it == fd->second.current.end()) return ErrnoStatus(ENOENT, "rename", from);
  auto node = it->second;
  fd->second.current.erase(it);
  td->second.current[tname] = node;
  return absl::OkStatus();
}

absl::Status FaultFileSystem::Unlink(const std::string& path) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (auto s = Enter(Op::kUnlink, path, true); !s.ok()) return s;
  auto [dir, name] = Split(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end() || d->second.current.erase(name) == 0) {
    return ErrnoStatus(ENOENT, "unlink", path);
  }
  return absl::OkStatus();
}

absl::Status FaultFileSystem::FsyncDir(const std::string& dir) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (auto s = Enter(Op::kFsyncDir, dir, true); !s.ok()) return s;
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) return ErrnoStatus(ENOENT, "fsync directory", dir);
  d->second.durable = d->second.current;
  return absl::OkStatus();
}

absl::Status FaultFileSystem::CreateDir(const std::string& dir) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  // Directories themselves are modelled as always durable: tests create them up front.
  dirs_[dir];
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FaultFileSystem::ListDir(const std::string& dir) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (auto s = Enter(Op::kRead, dir, false); !s.ok()) return s;
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) return ErrnoStatus(ENOENT, "list", dir);
  std::vector<std::string> names;
  for (const auto& [name, node] : d->second.current) names.push_back(name);
  // Sub-directories are listed too, like readdir does.
  for (const auto& [name, sub] : dirs_) {
    auto [parent, leaf] = Split(name);
    if (parent == dir && name != dir) names.push_back(leaf);
  }
  return names;
}

absl::StatusOr<bool> FaultFileSystem::Exists(const std::string& path) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (dirs_.count(path)) return true;
  auto [dir, name] = Split(path);
  auto d = dirs_.find(dir);
  return d != dirs_.end() && d->second.current.count(name) > 0;
}

absl::StatusOr<uint64_t> FaultFileSystem::FileSize(const std::string& path) {
  auto c = Contents(path);
  if (!c) return ErrnoStatus(ENOENT, "stat", path);
  return c->size();
}

absl::StatusOr<int64_t> FaultFileSystem::ModifiedTimeMs(const std::string& path) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  auto [dir, name] = Split(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end() || !d->second.current.count(name)) return ErrnoStatus(ENOENT, "stat", path);
  return d->second.current.at(name)->modified_ms;
}

void FaultFileSystem::SetClockMs(int64_t now_ms) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  clock_ms_ = now_ms;
}

int64_t FaultFileSystem::clock_ms() const {
  std::lock_guard<std::recursive_mutex> l(mu_);
  return clock_ms_;
}

namespace {

// Releases the path in the owning file system when destroyed, as closing a flock'ed fd does.
class FaultFileLock final : public FileLock {
 public:
  explicit FaultFileLock(std::function<void()> release) : release_(std::move(release)) {}
  ~FaultFileLock() override { release_(); }

 private:
  std::function<void()> release_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FileLock>> FaultFileSystem::LockExclusive(const std::string& path) {
  std::lock_guard<std::recursive_mutex> l(mu_);
  if (!Contents(path)) {
    auto file = Open(path, OpenMode::kCreateExclusive);
    if (!file.ok()) return file.status();
  }
  if (!locked_.insert(path).second) return absl::FailedPreconditionError(path + " is locked");
  return std::unique_ptr<FileLock>(new FaultFileLock([this, path] {
    std::lock_guard<std::recursive_mutex> guard(mu_);
    locked_.erase(path);
  }));
}

absl::StatusOr<VolumeSpace> FaultFileSystem::Space(const std::string&) {
  return VolumeSpace{full_ ? 0 : (1ull << 30), 1ull << 30};
}

absl::StatusOr<bool> FaultFileSystem::SameVolume(const std::string& a, const std::string& b) {
  return VolumeOf(a) == VolumeOf(b);
}

}  // namespace strongbox::io
