// Recovery removes what it no longer needs: a segment whose header never reached the disk,
// the `.active.empty.torn` files older builds left, and torn tails beyond the newest few.
#include <catch2/catch.hpp>
#include <string>

#include "common/format/file_names.h"
#include "common/format/segment_header.h"
#include "engine/durability/torn_files.h"
#include "tests/unit/durability/recovery_fixture.h"

namespace sb = strongbox;
using sb::testing::RecoveryFixture;

namespace {

size_t CountEnding(RecoveryFixture& f, const std::string& suffix) {
  size_t n = 0;
  for (const std::string& name : f.Names()) {
    n += name.ends_with(suffix);
  }
  return n;
}

}  // namespace

TEST_CASE("a segment whose header never reached the disk is deleted, durably") {
  RecoveryFixture f;
  f.WriteActive(0, 3, 4096);
  REQUIRE(f.Recover().ok());  // seals the segment holding LSNs 1..3
  std::string name = sb::format::ActiveSegmentName(4);
  std::string path = RecoveryFixture::PathOf(name);
  // A crash during creation: the directory entry reached the disk (another file's directory
  // fsync), the header did not. Depending on the moment the file is empty or zero-filled.
  SECTION("empty") { f.Put(path, ""); }
  SECTION("preallocated, zero-filled") { f.Put(path, std::string(4096, '\0')); }
  f.fs.SimulatePowerLoss();

  auto result = f.Recover();
  REQUIRE(result.ok());
  CHECK(result->lsn_last == 3);
  CHECK_FALSE(f.Has(name));
  CHECK(CountEnding(f, ".torn") == 0);
  f.fs.SimulatePowerLoss();  // the removal was made durable (unlink + directory fsync)
  CHECK_FALSE(f.Has(name));

  // The next start opens a segment under the same name and recovers it like any other.
  f.WriteActive(3, 2, 4096);
  f.fs.SimulatePowerLoss();
  result = f.Recover();
  REQUIRE(result.ok());
  CHECK(result->lsn_last == 5);
  CHECK(*f.state.db(0).Find("k5", 0)->str() == "5");
  CHECK(CountEnding(f, ".torn") == 0);
  CHECK(CountEnding(f, ".active") == 0);
}

TEST_CASE("power lost at every step of creating a segment leaves no .active or .torn behind") {
  for (int crash_after = 0; crash_after < 8; ++crash_after) {
    INFO("crash after " << crash_after << " mutating operations");
    RecoveryFixture f;
    f.WriteActive(0, 2, 4096);
    REQUIRE(f.Recover().ok());
    f.fs.CrashAfterMutatingOps(crash_after);
    {
      sb::engine::DurableLog log(f.fs, {sb::testing::kRecoveryDir, 4096, 1000}, f.id, 2);
      (void)log.Rotate(3);
    }
    f.fs.SimulatePowerLoss();
    for (int start = 0; start < 2; ++start) {
      auto result = f.Recover();
      REQUIRE(result.ok());
      CHECK(result->lsn_last == 2);
      CHECK(CountEnding(f, ".active") == 0);
      CHECK(CountEnding(f, ".torn") == 0);
    }
  }
}

TEST_CASE("a zeroed header with bytes after it is damage, not an empty segment") {
  RecoveryFixture f;
  std::string path = f.WriteActive(0, 3, 4096);
  std::string bytes = *f.fs.Contents(path);
  std::fill(bytes.begin(), bytes.begin() + sb::format::kSegmentHeaderBytes, '\0');
  f.Put(path, bytes);
  auto result = f.Recover();
  REQUIRE_FALSE(result.ok());
  CHECK(absl::IsDataLoss(result.status()));
  CHECK_THAT(std::string(result.status().message()), Catch::Contains(path));
  CHECK(f.Has(sb::format::ActiveSegmentName(1)));
}

TEST_CASE("empty .torn files of older builds go, torn tails keep the newest few") {
  RecoveryFixture f;
  f.WriteActive(0, 3, 4096);
  REQUIRE(f.Recover().ok());
  const size_t tails = sb::engine::kTornFilesKept + 3;
  for (uint64_t lsn = 1; lsn <= tails; ++lsn) {
    std::string name = sb::format::ActiveSegmentName(lsn);
    f.Put(RecoveryFixture::PathOf(name + ".torn"), "partial record bytes");
    f.Put(RecoveryFixture::PathOf(name + ".empty.torn"), "");
  }
  auto result = f.Recover();
  REQUIRE(result.ok());
  f.fs.SimulatePowerLoss();  // what was removed stays removed
  CHECK(CountEnding(f, ".empty.torn") == 0);
  CHECK(CountEnding(f, ".torn") == sb::engine::kTornFilesKept);
  for (uint64_t lsn = 1; lsn <= tails; ++lsn) {
    bool newest = lsn > tails - sb::engine::kTornFilesKept;
    CHECK(f.Has(sb::format::ActiveSegmentName(lsn) + ".torn") == newest);
  }
}

TEST_CASE("a refused start removes no .torn file") {
  RecoveryFixture f;
  std::string path = f.WriteActive(0, 3, 4096);
  f.Put(RecoveryFixture::PathOf(sb::format::ActiveSegmentName(9) + ".empty.torn"), "");
  std::string bytes = *f.fs.Contents(path);
  bytes[sb::format::kSegmentHeaderBytes + 40] ^= 0x01;  // rot in the first record
  f.Put(path, bytes);
  REQUIRE_FALSE(f.Recover().ok());
  CHECK(CountEnding(f, ".empty.torn") == 1);
}

TEST_CASE("a .torn file that cannot be removed does not stop the start") {
  RecoveryFixture f;
  f.WriteActive(0, 3, 4096);
  f.Put(RecoveryFixture::PathOf(sb::format::ActiveSegmentName(9) + ".empty.torn"), "");
  f.fs.FailNth(sb::io::FaultFileSystem::Op::kUnlink, 1, absl::PermissionDeniedError("EACCES"));
  auto result = f.Recover();
  REQUIRE(result.ok());
  CHECK(result->lsn_last == 3);
  CHECK(CountEnding(f, ".empty.torn") == 1);
  REQUIRE(f.Recover().ok());  // the next start tries again
  CHECK(CountEnding(f, ".empty.torn") == 0);
}
