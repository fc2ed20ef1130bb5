// Reads, creates and writes dataset.id (the file format is in dataset_id.h).
#include "common/format/dataset_id.h"

#include <sys/random.h>

#include <cstdio>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/format/directory_scan.h"
#include "common/format/record_format.h"
#include "common/io/durable_write.h"

namespace strongbox::format {

std::string DatasetIdHex(const DatasetId& id) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : id) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

absl::StatusOr<DatasetId> LoadDatasetId(io::FileSystem& fs, const std::string& dir) {
  std::string path = absl::StrCat(dir, "/", std::string(kDatasetIdFile));
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto text = (*file)->ReadAt(0, 4096);
  if (!text.ok()) return text.status();
  std::vector<std::string> words = absl::StrSplit(*text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  uint32_t version = 0;
  if (words.size() != 4 || words[0] != "strongbox-dataset" || words[1].size() != 32 ||
      words[2] != "format" || !absl::SimpleAtoi(words[3], &version)) {
    return absl::DataLossError(absl::StrCat(path, ": malformed data-set id file"));
  }
  if (version != kLogFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": data set has format version ",
                                                      version, ", this build supports ",
                                                      kLogFormatVersion));
  }
  DatasetId id{};
  for (size_t i = 0; i < 16; ++i) {
    unsigned v = 0;
    if (std::sscanf(words[1].c_str() + 2 * i, "%2x", &v) != 1) {
      return absl::DataLossError(absl::StrCat(path, ": malformed data-set id"));
    }
    id[i] = static_cast<uint8_t>(v);
  }
  return id;
}

absl::Status WriteDatasetId(io::FileSystem& fs, const std::string& dir, const DatasetId& id) {
  std::string text =
      absl::StrCat("strongbox-dataset ", DatasetIdHex(id), "\nformat ", kLogFormatVersion, "\n");
  return io::WriteFileDurably(fs, dir, std::string(kDatasetIdFile), text);
}

absl::StatusOr<DatasetId> LoadOrCreateDatasetId(io::FileSystem& fs, const std::string& dir) {
  auto loaded = LoadDatasetId(fs, dir);
  if (loaded.ok() || !absl::IsNotFound(loaded.status())) return loaded;
  auto listing = ScanDirectory(fs, dir);
  if (!listing.ok()) return listing.status();
  if (!listing->active.empty() || !listing->sealed.empty() || !listing->snapshots.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " holds segments or snapshots but no dataset.id: refusing to guess which data set ",
        "they belong to; restore dataset.id from a backup or run strongbox-snapshotter verify"));
  }
  DatasetId id{};
  if (::getrandom(id.data(), id.size(), 0) != static_cast<ssize_t>(id.size())) {
    return absl::InternalError("getrandom failed");
  }
  if (auto s = WriteDatasetId(fs, dir, id); !s.ok()) return s;
  return id;
}

}  // namespace strongbox::format
