// A full resync on disk: the old log's hot files and its archived ones are set aside in
// replaced-<ms>/ (nothing of the old history stays where a reader of the new log looks), the
// primary's snapshot and history are put in place, and files of no log are left alone.
#include "engine/replication/replica_install.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/file_names.h"
#include "common/io/durable_write.h"
#include "common/io/fault_file_system.h"

using namespace strongbox;
using engine::replication::DataDirs;
using engine::replication::History;
using engine::replication::ReplaceDataFiles;

namespace {

constexpr char kHot[] = "/data";
constexpr char kArchive[] = "/data/archived";
constexpr int64_t kNowMs = 1234;

void Touch(io::FileSystem& fs, const std::string& dir, const std::string& name) {
  REQUIRE(io::WriteFileDurably(fs, dir, name, "old history").ok());
}

std::vector<std::string> Sorted(io::FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  REQUIRE(names.ok());
  std::sort(names->begin(), names->end());
  return *names;
}

History NewHistory(const format::DatasetId& id) {
  return History{format::DatasetIdHex(id) + "0000abcd", "", 0};
}

}  // namespace

TEST_CASE("a full resync sets the old hot and archived log aside and installs the snapshot") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kHot).ok());
  REQUIRE(fs.CreateDir(kArchive).ok());
  format::DatasetId id{7};
  Touch(fs, kHot, format::SealedSegmentName(301, 400));
  Touch(fs, kHot, format::ActiveSegmentName(401));  // the diverged records
  Touch(fs, kHot, format::SnapshotName(300));
  Touch(fs, kHot, std::string(engine::replication::kHistoryFile));
  REQUIRE(format::WriteDatasetId(fs, kHot, id).ok());
  Touch(fs, kHot, "notes.txt");
  Touch(fs, kArchive, format::ArchivedSegmentName(1, 300));
  Touch(fs, kArchive, format::SnapshotName(100));
  Touch(fs, "/", "primary-snapshot");

  std::string aside;
  REQUIRE(ReplaceDataFiles(fs, DataDirs{kHot, kArchive}, id, "/primary-snapshot", 250,
                           NewHistory(id), kNowMs, &aside)
              .ok());
  CHECK(aside == "/data/replaced-1234");
  CHECK(Sorted(fs, kHot) == std::vector<std::string>{"archived", "dataset.id", "notes.txt",
                                                     "replaced-1234", "replication.id",
                                                     format::SnapshotName(250)});
  CHECK(Sorted(fs, aside) == std::vector<std::string>{format::SealedSegmentName(301, 400),
                                                      format::ActiveSegmentName(401), "dataset.id",
                                                      "replication.id", format::SnapshotName(300)});
  // LSNs 1..300 of the old history must not stand in for the new log's.
  CHECK(Sorted(fs, kArchive) == std::vector<std::string>{"replaced-1234"});
  CHECK(Sorted(fs, "/data/archived/replaced-1234") ==
        std::vector<std::string>{format::ArchivedSegmentName(1, 300), format::SnapshotName(100)});
}

TEST_CASE("a full resync without an archive directory or old files sets nothing aside") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kHot).ok());
  format::DatasetId id{9};
  std::string aside = "stale";
  REQUIRE(ReplaceDataFiles(fs, DataDirs{kHot, kArchive}, id, "", 0, NewHistory(id), kNowMs, &aside)
              .ok());
  CHECK(aside.empty());
  CHECK(Sorted(fs, kHot) == std::vector<std::string>{"dataset.id", "replication.id"});
}
