// What engine recovery sets aside from a torn active segment, and how long it keeps it: the
// dropped bytes go to `<segment>.torn` for forensics, and only the newest few are kept so they
// cannot pile up on the hot volume (docs/operations.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::engine {

using LogFn = std::function<void(const std::string&)>;

// Torn tails with content kept in the persistence directory; older ones are removed.
inline constexpr size_t kTornFilesKept = 4;

// Copies bytes [from, to) of `path` into `path`.torn, without the zero-filled preallocated
// space at their end (never written, nothing to learn from). Returns the bytes kept.
absl::StatusOr<uint64_t> KeepTornBytes(io::FileSystem& fs, const std::string& path, uint64_t from,
                                       uint64_t to);

// Removes `*.active.empty.torn` (headerless segments set aside by older builds: they never
// held a record) and every torn tail but the newest kTornFilesKept, then fsyncs the directory.
absl::Status PruneTornFiles(io::FileSystem& fs, const std::string& dir, const LogFn& log);

}  // namespace strongbox::engine
