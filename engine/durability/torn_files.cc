// Keeping and pruning the bytes recovery cuts from a torn active segment.
#include "engine/durability/torn_files.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/format/directory_scan.h"

namespace strongbox::engine {

absl::StatusOr<uint64_t> KeepTornBytes(io::FileSystem& fs, const std::string& path, uint64_t from,
                                       uint64_t to) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto bytes = (*file)->ReadAt(from, to - from);
  if (!bytes.ok()) return bytes.status();
  // A torn tail sits in preallocated space: without this a .torn file would be as large as a
  // segment, mostly zeros.
  size_t last = bytes->find_last_not_of('\0');
  bytes->resize(last == std::string::npos ? 0 : last + 1);
  auto torn = fs.Open(path + ".torn", io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!torn.ok()) return torn.status();
  if (auto s = (*torn)->WriteAt(0, *bytes); !s.ok()) return s;
  if (auto s = (*torn)->Fsync(); !s.ok()) return s;
  return bytes->size();
}

absl::Status PruneTornFiles(io::FileSystem& fs, const std::string& dir, const LogFn& log) {
  auto listing = format::ScanDirectory(fs, dir);
  if (!listing.ok()) return listing.status();
  std::vector<std::string> doomed;
  std::vector<std::string> kept;  // newest last
  for (const format::ParsedName& t : listing->torn) {
    (absl::EndsWith(t.name, ".empty.torn") ? doomed : kept).push_back(t.name);
  }
  size_t excess = kept.size() > kTornFilesKept ? kept.size() - kTornFilesKept : 0;
  doomed.insert(doomed.end(), kept.begin(), kept.begin() + static_cast<ptrdiff_t>(excess));
  if (doomed.empty()) return absl::OkStatus();
  for (const std::string& name : doomed) {
    if (auto s = fs.Unlink(absl::StrCat(dir, "/", name)); !s.ok() && !absl::IsNotFound(s)) {
      return s;
    }
    log(absl::StrCat("recovery: removed ", dir, "/", name));
  }
  return fs.FsyncDir(dir);
}

}  // namespace strongbox::engine
