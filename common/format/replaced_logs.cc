// The generation of a directory's log and the lock around replacing it.
#include "common/format/replaced_logs.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/file_names.h"
#include "common/io/durable_write.h"

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

absl::Status MoveFilesAside(io::FileSystem& fs, const std::string& from, const std::string& to,
                            bool (*pick)(const std::string&), std::string* moved_to) {
  auto names = fs.ListDir(from);
  if (!names.ok()) return names.status();
  std::vector<std::string> old;
  for (const std::string& n : *names) {
    if (pick(n)) old.push_back(n);
  }
  moved_to->clear();
  if (old.empty()) return absl::OkStatus();
  if (auto s = fs.CreateDir(to); !s.ok()) return s;
  std::stable_partition(old.begin(), old.end(),
                        [](const std::string& n) { return n != kDatasetIdFile; });
  for (const std::string& n : old) {
    if (auto s = fs.Rename(from + "/" + n, to + "/" + n); !s.ok()) return s;
  }
  if (auto s = fs.FsyncDir(to); !s.ok()) return s;
  if (auto s = fs.FsyncDir(from); !s.ok()) return s;
  *moved_to = to;
  return absl::OkStatus();
}

bool IsArchivedLogFile(const std::string& name) {
  FileKind kind = ParseFileName(name).kind;
  return kind == FileKind::kArchivedSegment || kind == FileKind::kSealed ||
         kind == FileKind::kSnapshot || kind == FileKind::kTmp;
}

absl::Status FollowArchiveGeneration(io::FileSystem& fs, const std::string& archive_dir,
                                     const std::string& generation, std::string* moved_to) {
  constexpr char kMarker[] = "log-generation";
  moved_to->clear();
  if (auto s = fs.CreateDir(archive_dir); !s.ok()) return s;
  std::string path = archive_dir + "/" + kMarker;
  auto marker = fs.Exists(path);
  if (!marker.ok()) return marker.status();
  if (*marker) {
    auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
    if (!file.ok()) return file.status();
    auto size = (*file)->Size();
    if (!size.ok()) return size.status();
    auto text = (*file)->ReadAt(0, *size);
    if (!text.ok()) return text.status();
    if (*text == generation) return absl::OkStatus();
    if (!generation.empty()) {
      auto s = MoveFilesAside(fs, archive_dir, archive_dir + "/" + generation, IsArchivedLogFile,
                              moved_to);
      if (!s.ok()) return s;
    }
  }
  return io::WriteFileDurably(fs, archive_dir, kMarker, generation);
}

absl::StatusOr<std::unique_ptr<io::FileLock>> TryLockReplace(io::FileSystem& fs,
                                                             const std::string& dir) {
  return fs.LockExclusive(absl::StrCat(dir, "/", kReplaceLockFile));
}

}  // namespace strongbox::format
