// ReplaceDataFiles: setting the old log aside and putting the primary's snapshot in place.
#include "engine/replication/replica_install.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"
#include "common/format/replaced_logs.h"

namespace strongbox::engine::replication {

namespace {

bool BelongsToLog(const std::string& name) {
  using format::FileKind;
  FileKind kind = format::ParseFileName(name).kind;
  return kind == FileKind::kActive || kind == FileKind::kSealed || kind == FileKind::kSnapshot ||
         kind == FileKind::kTorn || name == format::kDatasetIdFile || name == kHistoryFile;
}

// replaced-<ms>, later than every existing one even when the clock stepped back or two resyncs
// fall in the same millisecond: the newest name is the snapshotter's generation.
absl::StatusOr<std::string> NextReplacedName(io::FileSystem& fs, const std::string& dir,
                                             int64_t now_ms) {
  auto current = format::CurrentLogGeneration(fs, dir);
  if (!current.ok()) return current.status();
  int64_t ms = now_ms;
  int64_t newest_ms = 0;
  if (!current->empty() &&
      absl::SimpleAtoi(current->substr(sizeof(format::kReplacedPrefix) - 1), &newest_ms)) {
    ms = std::max(ms, newest_ms + 1);
  }
  return absl::StrCat(format::kReplacedPrefix, ms);
}

}  // namespace

absl::Status ReplaceDataFiles(io::FileSystem& fs, const std::string& dir,
                              const std::string& archive_dir, const format::DatasetId& dataset,
                              const std::string& snapshot_path, uint64_t lsn,
                              const History& history, int64_t now_ms, ReplacedLog* replaced) {
  auto lock = format::TryLockReplace(fs, dir);
  if (absl::IsFailedPrecondition(lock.status())) {
    return absl::UnavailableError("the snapshotter is publishing a file");
  }
  if (!lock.ok()) return lock.status();
  auto name = NextReplacedName(fs, dir, now_ms);
  if (!name.ok()) return name.status();
  // The archive first: a crash after it leaves a hot log whose older part is aside, which the
  // next full resync replaces anyway (a log is continued only from its primary).
  auto archive_exists = fs.Exists(archive_dir);
  if (!archive_exists.ok()) return archive_exists.status();
  replaced->archive_dir.clear();
  if (*archive_exists) {
    absl::Status s = format::MoveFilesAside(fs, archive_dir, archive_dir + "/" + *name,
                                            format::IsArchivedLogFile, &replaced->archive_dir);
    if (!s.ok()) return s;
  }
  if (auto s = format::MoveFilesAside(fs, dir, dir + "/" + *name, BelongsToLog, &replaced->dir);
      !s.ok()) {
    return s;
  }
  if (auto s = format::WriteDatasetId(fs, dir, dataset); !s.ok()) return s;
  if (!snapshot_path.empty()) {
    if (auto s = fs.Rename(snapshot_path, dir + "/" + format::SnapshotName(lsn)); !s.ok()) return s;
  }
  if (auto s = SaveHistory(fs, dir, history); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

}  // namespace strongbox::engine::replication
