// Writes and lists snapshot request files (see snapshot_request.h).
#include "common/format/snapshot_request.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"

namespace strongbox::format {

absl::Status WriteSnapshotRequest(io::FileSystem& fs, const std::string& dir, uint64_t lsn,
                                  int64_t requested_ms) {
  std::string path = absl::StrCat(dir, "/", SnapshotRequestName(lsn));
  std::string tmp = path + ".tmp";
  auto file = fs.Open(tmp, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  std::string text = absl::StrCat("strongbox snapshot request\nlsn ", lsn, "\nrequested_unix_ms ",
                                  requested_ms, "\n");
  if (auto s = (*file)->WriteAt(0, text); !s.ok()) {
    (void)fs.Unlink(tmp);
    return s;
  }
  file->reset();
  return fs.Rename(tmp, path);
}

absl::StatusOr<std::vector<SnapshotRequest>> ListSnapshotRequests(io::FileSystem& fs,
                                                                  const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<SnapshotRequest> out;
  for (auto& name : *names) {
    uint64_t lsn = 0;
    if (ParseSnapshotRequestName(name, &lsn)) out.push_back({lsn, std::move(name)});
  }
  std::sort(out.begin(), out.end(),
            [](const SnapshotRequest& a, const SnapshotRequest& b) { return a.lsn < b.lsn; });
  return out;
}

}  // namespace strongbox::format
