// ReplaceDataFiles: setting the old log aside and putting the primary's snapshot in place.
#include "engine/replication/replica_install.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"

namespace strongbox::engine::replication {

namespace {

bool BelongsToLog(const std::string& name) {
  using format::FileKind;
  FileKind kind = format::ParseFileName(name).kind;
  return kind == FileKind::kActive || kind == FileKind::kSealed || kind == FileKind::kSnapshot ||
         kind == FileKind::kTorn || name == format::kDatasetIdFile || name == kHistoryFile;
}

}  // namespace

absl::Status ReplaceDataFiles(io::FileSystem& fs, const std::string& dir,
                              const format::DatasetId& dataset, const std::string& snapshot_path,
                              uint64_t lsn, const History& history, int64_t now_ms,
                              std::string* set_aside) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> old;
  for (const std::string& n : *names) {
    if (BelongsToLog(n)) old.push_back(n);
  }
  set_aside->clear();
  if (!old.empty()) {
    *set_aside = absl::StrCat(dir, "/replaced-", now_ms);
    if (auto s = fs.CreateDir(*set_aside); !s.ok()) return s;
    // dataset.id last: until it goes, the directory still names the old data set.
    std::stable_partition(old.begin(), old.end(),
                          [](const std::string& n) { return n != format::kDatasetIdFile; });
    for (const std::string& n : old) {
      if (auto s = fs.Rename(dir + "/" + n, *set_aside + "/" + n); !s.ok()) return s;
    }
    if (auto s = fs.FsyncDir(*set_aside); !s.ok()) return s;
    if (auto s = fs.FsyncDir(dir); !s.ok()) return s;
  }
  if (auto s = format::WriteDatasetId(fs, dir, dataset); !s.ok()) return s;
  if (!snapshot_path.empty()) {
    if (auto s = fs.Rename(snapshot_path, dir + "/" + format::SnapshotName(lsn)); !s.ok()) return s;
  }
  if (auto s = SaveHistory(fs, dir, history); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

}  // namespace strongbox::engine::replication
