// ReplaceDataFiles: setting the old log aside and putting the primary's snapshot in place.
#include "engine/replication/replica_install.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"

namespace strongbox::engine::replication {

namespace {

bool BelongsToLog(const std::string& name) {
  using format::FileKind;
  FileKind kind = format::ParseFileName(name).kind;
  return kind == FileKind::kActive || kind == FileKind::kSealed || kind == FileKind::kSnapshot ||
         kind == FileKind::kArchivedSegment || kind == FileKind::kTorn ||
         name == format::kDatasetIdFile || name == kHistoryFile;
}

// Moves the log's files of `dir` into `dir`/replaced-<ms>/ (dataset.id last: until it goes, the
// directory still names the old data set). *aside: that directory, "" when there was nothing.
absl::Status SetAside(io::FileSystem& fs, const std::string& dir, int64_t now_ms,
                      std::string* aside) {
  aside->clear();
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> old;
  for (const std::string& n : *names) {
    if (BelongsToLog(n)) old.push_back(n);
  }
  if (old.empty()) return absl::OkStatus();
  *aside = absl::StrCat(dir, "/replaced-", now_ms);
  if (auto s = fs.CreateDir(*aside); !s.ok()) return s;
  std::stable_partition(old.begin(), old.end(),
                        [](const std::string& n) { return n != format::kDatasetIdFile; });
  for (const std::string& n : old) {
    if (auto s = fs.Rename(dir + "/" + n, *aside + "/" + n); !s.ok()) return s;
  }
  if (auto s = fs.FsyncDir(*aside); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

}  // namespace

absl::Status ReplaceDataFiles(io::FileSystem& fs, const DataDirs& dirs,
                              const format::DatasetId& dataset, const std::string& snapshot_path,
                              uint64_t lsn, const History& history, int64_t now_ms,
                              std::string* set_aside) {
  // The archive first (a rename inside its own volume): the old log's archived segments would
  // otherwise fill the new log's gaps for the segment cursor, restore and verify. A crash after
  // it leaves the old log whole in the hot directory, which resyncs again at the next start.
  if (!dirs.archive.empty()) {
    auto exists = fs.Exists(dirs.archive);
    if (!exists.ok()) return exists.status();
    std::string archive_aside;
    if (*exists) {
      if (auto s = SetAside(fs, dirs.archive, now_ms, &archive_aside); !s.ok()) return s;
    }
  }
  if (auto s = SetAside(fs, dirs.hot, now_ms, set_aside); !s.ok()) return s;
  if (auto s = format::WriteDatasetId(fs, dirs.hot, dataset); !s.ok()) return s;
  if (!snapshot_path.empty()) {
    std::string name = format::SnapshotName(lsn);
    if (auto s = fs.Rename(snapshot_path, dirs.hot + "/" + name); !s.ok()) return s;
  }
  if (auto s = SaveHistory(fs, dirs.hot, history); !s.ok()) return s;
  return fs.FsyncDir(dirs.hot);
}

}  // namespace strongbox::engine::replication
