// A small file replaced whole and durably: <name>.tmp → fsync → rename → fsync the directory,
// so a crash leaves either the old content or the new one, never a mix.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/io/file_system.h"

namespace strongbox::io {

absl::Status WriteFileDurably(FileSystem& fs, const std::string& dir, const std::string& name,
                              std::string_view text);

}  // namespace strongbox::io
