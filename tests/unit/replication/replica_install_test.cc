// A full resync on the replica's disk: the old log's hot and archived files go aside under a new
// generation (the replica's snapshotter starts over from it), and nothing changes while the
// snapshotter holds replace.lock.
#include "engine/replication/replica_install.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/file_names.h"
#include "common/format/replaced_logs.h"
#include "common/io/fault_file_system.h"
#include "tests/unit/format/dir_test_util.h"

using namespace strongbox;
using engine::replication::History;
using engine::replication::InitialHistory;
using engine::replication::ReplaceDataFiles;
using engine::replication::ReplacedLog;
using testing::Has;
using testing::Put;

namespace {

constexpr char kDir[] = "/data";
constexpr char kArchive[] = "/data/archived";

struct OldLog {
  io::FaultFileSystem fs;
  format::DatasetId old_id{1};
  format::DatasetId new_id{2};
  History history = InitialHistory(new_id);

  OldLog() {
    REQUIRE(fs.CreateDir(kDir).ok());
    REQUIRE(fs.CreateDir(kArchive).ok());
    REQUIRE(format::WriteDatasetId(fs, kDir, old_id).ok());
    Put(fs, kDir, format::SealedSegmentName(11, 20));
    Put(fs, kDir, format::SnapshotName(10));
    Put(fs, kArchive, format::SnapshotName(5));
    Put(fs, kArchive, format::ArchivedSegmentName(1, 10));
  }

  absl::Status Replace(int64_t now_ms, ReplacedLog* replaced) {
    return ReplaceDataFiles(fs, kDir, kArchive, new_id, "", 0, history, now_ms, replaced);
  }
};

}  // namespace

TEST_CASE("a full resync sets the old log's hot and archived files aside") {
  OldLog d;
  ReplacedLog replaced;
  REQUIRE(d.Replace(1000, &replaced).ok());
  CHECK(replaced.dir == "/data/replaced-1000");
  CHECK(replaced.archive_dir == "/data/archived/replaced-1000");
  CHECK(Has(d.fs, replaced.dir, format::SnapshotName(10)));
  CHECK(Has(d.fs, replaced.dir, std::string(format::kDatasetIdFile)));
  CHECK(Has(d.fs, replaced.archive_dir, format::SnapshotName(5)));
  CHECK(Has(d.fs, replaced.archive_dir, format::ArchivedSegmentName(1, 10)));
  CHECK_FALSE(Has(d.fs, kDir, format::SnapshotName(10)));
  CHECK_FALSE(Has(d.fs, kArchive, format::SnapshotName(5)));
  auto id = format::LoadDatasetId(d.fs, kDir);
  REQUIRE(id.ok());
  CHECK(*id == d.new_id);
  auto generation = format::CurrentLogGeneration(d.fs, kDir);
  REQUIRE(generation.ok());
  CHECK(*generation == "replaced-1000");
}

TEST_CASE("every full resync makes a newer generation, whatever the clock says") {
  OldLog d;
  ReplacedLog first, second;
  REQUIRE(d.Replace(1000, &first).ok());
  REQUIRE(d.Replace(1000, &second).ok());  // same millisecond
  CHECK(second.dir == "/data/replaced-1001");
  ReplacedLog third;
  REQUIRE(d.Replace(5, &third).ok());  // the clock stepped back
  CHECK(third.dir == "/data/replaced-1002");
  auto generation = format::CurrentLogGeneration(d.fs, kDir);
  REQUIRE(generation.ok());
  CHECK(*generation == "replaced-1002");
}

TEST_CASE("nothing is replaced while the snapshotter holds replace.lock") {
  OldLog d;
  ReplacedLog replaced;
  {
    auto held = format::TryLockReplace(d.fs, kDir);
    REQUIRE(held.ok());
    absl::Status s = d.Replace(1000, &replaced);
    CHECK(absl::IsUnavailable(s));
    CHECK(Has(d.fs, kDir, format::SnapshotName(10)));
    CHECK(Has(d.fs, kArchive, format::SnapshotName(5)));
    auto generation = format::CurrentLogGeneration(d.fs, kDir);
    REQUIRE(generation.ok());
    CHECK(generation->empty());
  }
  REQUIRE(d.Replace(1000, &replaced).ok());  // released: the retry goes through
  CHECK(replaced.dir == "/data/replaced-1000");
}
