// The data-set identity: 16 random bytes in dataset.id, stamped into every segment and
// snapshot so that files of another data set are never mixed in.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::format {

using DatasetId = std::array<uint8_t, 16>;
std::string DatasetIdHex(const DatasetId& id);

// dataset.id: "strongbox-dataset <32 hex digits>\nformat <version>\n", written once.
inline constexpr std::string_view kDatasetIdFile = "dataset.id";
absl::StatusOr<DatasetId> LoadDatasetId(io::FileSystem& fs, const std::string& dir);
// Loads the id, or creates it when the directory holds no segment or snapshot yet.
absl::StatusOr<DatasetId> LoadOrCreateDatasetId(io::FileSystem& fs, const std::string& dir);
absl::Status WriteDatasetId(io::FileSystem& fs, const std::string& dir, const DatasetId& id);

}  // namespace strongbox::format
