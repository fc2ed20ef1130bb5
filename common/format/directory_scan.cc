// Groups and sorts a directory's names by what ParseFileName says they are.
#include "common/format/directory_scan.h"

#include <algorithm>

namespace strongbox::format {

absl::StatusOr<DirectoryListing> ScanDirectory(io::FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  DirectoryListing out;
  for (const std::string& n : *names) {
    ParsedName p = ParseFileName(n);
    switch (p.kind) {
      case FileKind::kActive:
        out.active.push_back(p);
        break;
      case FileKind::kSealed:
        out.sealed.push_back(p);
        break;
      case FileKind::kArchivedSegment:
        out.archived.push_back(p);
        break;
      case FileKind::kSnapshot:
        out.snapshots.push_back(p);
        break;
      case FileKind::kTmp:
        out.tmp.push_back(p);
        break;
      default:
        break;
    }
  }
  auto by_first = [](const ParsedName& a, const ParsedName& b) {
    return a.lsn_first != b.lsn_first ? a.lsn_first < b.lsn_first : a.name < b.name;
  };
  std::sort(out.active.begin(), out.active.end(), by_first);
  std::sort(out.sealed.begin(), out.sealed.end(), by_first);
  std::sort(out.archived.begin(), out.archived.end(), by_first);
  std::sort(out.snapshots.begin(), out.snapshots.end(),
            [](const ParsedName& a, const ParsedName& b) { return a.lsn_last < b.lsn_last; });
  return out;
}

}  // namespace strongbox::format
