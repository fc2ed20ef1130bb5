// Files by name in a directory of a test's file system: written whole, looked up by path.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "common/io/durable_write.h"
#include "common/io/file_system.h"

namespace strongbox::testing {

inline void Put(io::FileSystem& fs, const std::string& dir, const std::string& name) {
  REQUIRE(io::WriteFileDurably(fs, dir, name, "x").ok());
}

inline bool Has(io::FileSystem& fs, const std::string& dir, const std::string& name) {
  auto exists = fs.Exists(dir + "/" + name);
  REQUIRE(exists.ok());
  return *exists;
}

}  // namespace strongbox::testing
