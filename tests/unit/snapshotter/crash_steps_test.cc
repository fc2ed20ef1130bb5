// Crash at every step of an archive move and of snapshot publishing, through the fault seam:
// after the power cut and the start-up recovery, no file is lost or duplicated.
#include <catch2/catch.hpp>
#include <string>

#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/format/segment_reader.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "snapshotter/archiver.h"

namespace sb = strongbox;
using sb::io::FaultFileSystem;
using sb::io::FileSystem;

namespace {

const sb::format::DatasetId kId{7, 7, 7};

std::string SealedSegment(uint64_t first, uint64_t last) {
  std::string out = sb::format::EncodeSegmentHeader({sb::format::kLogFormatVersion, kId, first, 1});
  sb::format::RecordBuilder b(&out);
  for (uint64_t lsn = first; lsn <= last; ++lsn) {
    b.Begin(lsn, 10);
    // Appended, not `"k" + std::to_string(lsn)`: GCC 12 at -O3 raises a false -Wrestrict on
    // operator+(const char*, std::string&&) (GCC bug 105329).
    std::string key = "k";
    key += std::to_string(lsn);
    std::string_view argv[] = {"SET", key, "value"};
    b.AddOp(0, argv);
    b.Finish();
  }
  sb::format::AppendSealRecord(&out, last, last - first + 1, 11);
  return out;
}

void Durable(FaultFileSystem& fs, const std::string& path, const std::string& bytes) {
  auto f = fs.Open(path, FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(0, bytes).ok());
  REQUIRE((*f)->Fsync().ok());
  REQUIRE(fs.FsyncDir(path.substr(0, path.rfind('/'))).ok());
}

}  // namespace

TEST_CASE("archive move across volumes survives a crash at every step") {
  const std::string seg_name = sb::format::SealedSegmentName(1, 20);
  const std::string original = SealedSegment(1, 20);
  sb::snapshotter::ArchiveOptions o{"/hot", "/hot/archived", 2, true, 3};
  for (bool compress : {true, false}) {
    o.compress = compress;
    const std::string archived_name = compress ? sb::format::ArchivedSegmentName(1, 20) : seg_name;
    for (int crash_at = 0;; ++crash_at) {
      FaultFileSystem fs;
      REQUIRE(fs.CreateDir("/hot").ok());
      REQUIRE(fs.CreateDir("/hot/archived").ok());
      fs.AddVolume("/hot/archived");  // a separate volume: rename gives EXDEV
      Durable(fs, "/hot/" + seg_name, original);
      auto name = sb::format::ParseFileName(seg_name);
      fs.CrashAfterMutatingOps(crash_at);
      auto moved = sb::snapshotter::ArchiveFile(fs, o, name);
      bool completed = moved.ok();
      fs.SimulatePowerLoss();
      REQUIRE(sb::snapshotter::RecoverArchive(fs, o, [](const std::string&) {}).ok());
      auto hot = fs.Contents("/hot/" + seg_name);
      auto cold = fs.Contents("/hot/archived/" + archived_name);
      INFO("compress " << compress << " crash after " << crash_at << " ops");
      // Exactly one copy after recovery, and it holds the segment.
      REQUIRE(hot.has_value() != cold.has_value());
      if (hot) CHECK(*hot == original);
      if (cold) {
        auto bytes = sb::format::ReadSegmentBytes(fs, "/hot/archived/" + archived_name);
        REQUIRE(bytes.ok());
        CHECK(*bytes == original);
      }
      CHECK_FALSE(fs.Contents("/hot/archived/" + archived_name + ".tmp").has_value());
      // Redoing the move finishes it.
      if (hot) REQUIRE(sb::snapshotter::ArchiveFile(fs, o, name).ok());
      CHECK_FALSE(fs.Contents("/hot/" + seg_name).has_value());
      if (completed) break;
    }
  }
}

TEST_CASE("snapshot publishing survives a crash at every step") {
  sb::state::State state;
  for (int i = 0; i < 500; ++i) {
    std::string key = "key" + std::to_string(i);
    std::string_view argv[] = {"SET", key, "v"};
    REQUIRE(sb::state::ApplyOp(state, static_cast<uint8_t>(i % 3), argv).ok());
  }
  uint64_t digest = sb::state::StateDigest(state);
  const std::string path = "/hot/" + sb::format::SnapshotName(500);
  for (int crash_at = 0;; ++crash_at) {
    FaultFileSystem fs;
    REQUIRE(fs.CreateDir("/hot").ok());
    fs.CrashAfterMutatingOps(crash_at);
    auto written = sb::state::WriteSnapshot(fs, "/hot", kId, 500, 1, state, {});
    fs.SimulatePowerLoss();
    INFO("crash after " << crash_at << " ops");
    // Under its final name a snapshot is complete and verifies, or it is not there at all.
    if (fs.Contents(path)) {
      sb::state::State loaded;
      auto info = sb::state::LoadSnapshot(fs, path, kId, &loaded);
      REQUIRE(info.ok());
      CHECK(sb::state::StateDigest(loaded) == digest);
    } else {
      CHECK_FALSE(written.ok());
    }
    if (written.ok()) {
      CHECK(fs.Contents(path).has_value());
      break;
    }
  }
}

TEST_CASE("archive plan keeps the newest snapshots and every segment after the oldest kept") {
  sb::format::DirectoryListing hot;
  for (uint64_t lsn : {100, 200, 300}) {
    hot.snapshots.push_back(sb::format::ParseFileName(sb::format::SnapshotName(lsn)));
  }
  for (auto [a, b] : {std::pair{1, 100}, {101, 150}, {151, 200}, {201, 300}, {301, 350}}) {
    hot.sealed.push_back(sb::format::ParseFileName(sb::format::SealedSegmentName(a, b)));
  }
  auto plan = sb::snapshotter::PlanArchive(hot, 2);
  std::vector<std::string> names;
  for (const auto& n : plan) names.push_back(n.name);
  CHECK(names == std::vector<std::string>{sb::format::SnapshotName(100),
                                          sb::format::SealedSegmentName(1, 100),
                                          sb::format::SealedSegmentName(101, 150),
                                          sb::format::SealedSegmentName(151, 200)});
  CHECK(sb::snapshotter::PlanArchive(hot, 5).size() == 1);  // only segments before LSN 100
  sb::format::DirectoryListing none;
  none.sealed = hot.sealed;
  CHECK(sb::snapshotter::PlanArchive(none, 2).empty());  // no snapshot: everything stays hot
}

TEST_CASE("retention deletes whole units from the oldest end and keeps a restorable chain") {
  using sb::snapshotter::ArchivedFileInfo;
  std::vector<ArchivedFileInfo> files;
  auto add = [&](const std::string& name, int64_t mtime_ms) {
    files.push_back({sb::format::ParseFileName(name), 100, mtime_ms});
  };
  add(sb::format::ArchivedSegmentName(1, 50), 1000);
  add(sb::format::SnapshotName(50), 1000);
  add(sb::format::ArchivedSegmentName(51, 100), 2000);
  add(sb::format::SnapshotName(100), 2000);
  add(sb::format::ArchivedSegmentName(101, 150), 3000);
  // By bytes: 500 in all, limit 350 -> the first unit (segment 1-50) and the second
  // (snapshot 50 + segment 51-100) go; snapshot 100 and what follows stay.
  auto plan = sb::snapshotter::PlanRetention(files, {0, 250}, 4000);
  std::vector<std::string> names;
  for (const auto& n : plan) names.push_back(n.name);
  CHECK(names == std::vector<std::string>{sb::format::ArchivedSegmentName(1, 50),
                                          sb::format::SnapshotName(50),
                                          sb::format::ArchivedSegmentName(51, 100)});
  // By age: only units whose newest file is older than the limit.
  plan = sb::snapshotter::PlanRetention(files, {1500, 0}, 3000);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].name == sb::format::ArchivedSegmentName(1, 50));
  // Off by default; and the newest archived snapshot is never deleted.
  CHECK(sb::snapshotter::PlanRetention(files, {0, 0}, 1 << 30).empty());
  plan = sb::snapshotter::PlanRetention(files, {0, 1}, 1 << 30);
  for (const auto& n : plan) CHECK(n.name != sb::format::SnapshotName(100));
}
