// Lists a persistence (or archive) directory by file kind, each group in LSN order.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/format/file_names.h"
#include "common/io/file_system.h"

namespace strongbox::format {

struct DirectoryListing {
  std::vector<ParsedName> active;     // by first LSN
  std::vector<ParsedName> sealed;     // by first LSN
  std::vector<ParsedName> archived;   // by first LSN
  std::vector<ParsedName> snapshots;  // by LSN, oldest first
  std::vector<ParsedName> tmp;
  std::vector<ParsedName> torn;  // bytes engine recovery set aside, by name (= by LSN)
};
absl::StatusOr<DirectoryListing> ScanDirectory(io::FileSystem& fs, const std::string& dir);

}  // namespace strongbox::format
