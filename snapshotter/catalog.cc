// Merges the hot and archive listings.
#include "snapshotter/catalog.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/format/directory_scan.h"

namespace strongbox::snapshotter {

absl::StatusOr<Catalog> LoadCatalog(io::FileSystem& fs, const std::string& hot_dir,
                                    const std::string& archive_dir) {
  auto hot = format::ScanDirectory(fs, hot_dir);
  if (!hot.ok()) return hot.status();
  format::DirectoryListing archived;
  auto exists = fs.Exists(archive_dir);
  if (exists.ok() && *exists) {
    auto a = format::ScanDirectory(fs, archive_dir);
    if (!a.ok()) return a.status();
    archived = std::move(*a);
  }
  Catalog c;
  std::map<uint64_t, CatalogFile> snapshots;  // by LSN
  std::map<uint64_t, CatalogFile> segments;   // by first LSN
  for (const auto& n : archived.snapshots) {
    snapshots[n.lsn_last] = {absl::StrCat(archive_dir, "/", n.name), n, true};
  }
  for (const auto& n : archived.archived) {
    segments[n.lsn_first] = {absl::StrCat(archive_dir, "/", n.name), n, true};
  }
  for (const auto& n : archived.sealed) {  // archived without recompression
    segments[n.lsn_first] = {absl::StrCat(archive_dir, "/", n.name), n, true};
  }
  // Hot copies win: a file in both places is a move the archiver has not finished.
  for (const auto& n : hot->snapshots) {
    snapshots[n.lsn_last] = {absl::StrCat(hot_dir, "/", n.name), n, false};
  }
  for (const auto& n : hot->sealed) {
    segments[n.lsn_first] = {absl::StrCat(hot_dir, "/", n.name), n, false};
  }
  for (const auto& n : hot->active) {
    c.active.push_back({absl::StrCat(hot_dir, "/", n.name), n, false});
  }
  for (auto& [lsn, f] : snapshots) c.snapshots.push_back(std::move(f));
  for (auto& [lsn, f] : segments) c.segments.push_back(std::move(f));
  return c;
}

}  // namespace strongbox::snapshotter
