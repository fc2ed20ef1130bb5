// One view of every file of the data set, hot and archived: what verify, restore and the
// daemon walk in LSN order.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/format/file_names.h"
#include "common/io/file_system.h"

namespace strongbox::snapshotter {

struct CatalogFile {
  std::string path;
  format::ParsedName name;
  bool archived = false;
};

struct Catalog {
  std::vector<CatalogFile> snapshots;  // by LSN, oldest first; hot copy wins over archived
  std::vector<CatalogFile> segments;   // sealed + archived, by first LSN; hot copy wins
  std::vector<CatalogFile> active;     // the engine's .active segment(s)
};

// `archive_dir` may not exist yet (empty archive).
absl::StatusOr<Catalog> LoadCatalog(io::FileSystem& fs, const std::string& hot_dir,
                                    const std::string& archive_dir);

}  // namespace strongbox::snapshotter
