// The generation of a directory's log (its newest replaced-<ms>) and the archive following it:
// files archived from a replaced log are set aside once, under the generation that replaced it.
#include "common/format/replaced_logs.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/format/file_names.h"
#include "common/io/fault_file_system.h"
#include "tests/unit/format/dir_test_util.h"

using namespace strongbox;
using testing::Has;
using testing::Put;

namespace {

constexpr char kDir[] = "/data";
constexpr char kArchive[] = "/archive";

std::string Generation(io::FileSystem& fs) {
  auto g = format::CurrentLogGeneration(fs, kDir);
  REQUIRE(g.ok());
  return *g;
}

}  // namespace

TEST_CASE("the generation is the newest replaced-<ms> by its number") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  CHECK(Generation(fs).empty());
  REQUIRE(fs.CreateDir("/data/replaced-999").ok());
  REQUIRE(fs.CreateDir("/data/replaced-1000").ok());  // sorts before 999 as text
  REQUIRE(fs.CreateDir("/data/replaced-x").ok());     // not a generation
  CHECK(Generation(fs) == "replaced-1000");
}

TEST_CASE("the archive sets aside the files of a log replaced without it") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  std::string moved;
  // First start: no archive yet; it is created and marked with the current generation.
  REQUIRE(format::FollowArchiveGeneration(fs, kArchive, "", &moved).ok());
  CHECK(moved.empty());
  std::string segment = format::ArchivedSegmentName(1, 10);
  Put(fs, kArchive, segment);
  Put(fs, kArchive, format::SnapshotName(10));
  REQUIRE(format::FollowArchiveGeneration(fs, kArchive, "", &moved).ok());
  CHECK(moved.empty());  // same generation: nothing moves
  CHECK(Has(fs, kArchive, segment));

  REQUIRE(format::FollowArchiveGeneration(fs, kArchive, "replaced-5", &moved).ok());
  CHECK(moved == "/archive/replaced-5");
  CHECK(Has(fs, moved, segment));
  CHECK(Has(fs, moved, format::SnapshotName(10)));
  CHECK_FALSE(Has(fs, kArchive, segment));
  REQUIRE(format::FollowArchiveGeneration(fs, kArchive, "replaced-5", &moved).ok());
  CHECK(moved.empty());  // followed once
}
