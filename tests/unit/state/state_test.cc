// The effect vocabulary per type, the snapshot round trip (a state rebuilt from a snapshot has
// the same digest and content as the one written), segment replay and snapshot fallback.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/segment_replay.h"
#include "common/state/snapshot.h"
#include "common/state/snapshot_loader.h"

namespace st = strongbox::state;

namespace {

absl::Status Op(st::State& s, std::vector<std::string> argv, uint8_t db = 0) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return st::ApplyOp(s, db, views);
}

// Writes sealed segment [first, last] to /d; record n appends n to list "l", so a record
// applied twice or skipped shows in the list.
std::string PutSegment(strongbox::io::FileSystem& fs, const strongbox::format::DatasetId& id,
                       uint64_t first, uint64_t last) {
  namespace fmt = strongbox::format;
  std::string bytes = fmt::EncodeSegmentHeader({fmt::kLogFormatVersion, id, first, 1});
  fmt::RecordBuilder b(&bytes);
  for (uint64_t lsn = first; lsn <= last; ++lsn) {
    b.Begin(lsn, static_cast<int64_t>(1000 + lsn));
    std::string n = std::to_string(lsn);
    std::string_view argv[] = {"RPUSH", "l", n};
    b.AddOp(0, argv);
    b.Finish();
  }
  fmt::AppendSealRecord(&bytes, last, last - first + 1, 1);
  std::string path = "/d/" + fmt::SealedSegmentName(first, last);
  auto f = fs.Open(path, strongbox::io::FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(0, bytes).ok());
  return path;
}

}  // namespace

TEST_CASE("lists: pushes, pops, trims; an emptied list disappears") {
  st::State s;
  REQUIRE(Op(s, {"RPUSH", "l", "a", "b", "c"}).ok());
  REQUIRE(Op(s, {"LPUSH", "l", "z"}).ok());
  REQUIRE(Op(s, {"LINSERT", "l", "AFTER", "a", "m"}).ok());
  REQUIRE(Op(s, {"LSET", "l", "0", "Z"}).ok());
  const st::ListValue& l = *s.db(0).FindRaw("l")->list();
  CHECK(std::vector<std::string>(l.begin(), l.end()) ==
        std::vector<std::string>{"Z", "a", "m", "b", "c"});
  REQUIRE(Op(s, {"LTRIM", "l", "1", "3"}).ok());
  REQUIRE(Op(s, {"LREM", "l", "0", "m"}).ok());
  REQUIRE(Op(s, {"LPOP", "l", "5"}).ok());
  CHECK(s.db(0).FindRaw("l") == nullptr);
  CHECK_FALSE(Op(s, {"LSET", "l", "0", "x"}).ok());  // no such key: damage at replay
}

TEST_CASE("sets and sorted sets; wrong types are refused") {
  st::State s;
  REQUIRE(Op(s, {"SADD", "s", "a", "b"}).ok());
  REQUIRE(Op(s, {"SREM", "s", "a", "b"}).ok());
  CHECK(s.db(0).FindRaw("s") == nullptr);
  REQUIRE(Op(s, {"ZADD", "z", "1.5", "a", "-inf", "b", "inf", "c"}).ok());
  const st::ZSetValue& z = *s.db(0).FindRaw("z")->zset();
  CHECK(z.Rank("b") == 0u);
  CHECK(z.Score("a") == 1.5);
  REQUIRE(Op(s, {"ZADD", "z", "0.5", "a"}).ok());
  CHECK(z.Score("a") == 0.5);
  CHECK(z.size() == 3);
  CHECK_FALSE(Op(s, {"ZADD", "z", "nan", "a"}).ok());
  CHECK_FALSE(Op(s, {"SADD", "z", "x"}).ok());
  REQUIRE(Op(s, {"COPY", "z", "2", "z2"}).ok());
  REQUIRE(Op(s, {"ZREM", "z", "a", "b", "c"}).ok());
  CHECK(s.db(0).FindRaw("z") == nullptr);
  CHECK(s.db(2).FindRaw("z2")->zset()->size() == 3);  // a deep copy
}

TEST_CASE("snapshot round trip over every type keeps content and digest") {
  st::State s;
  REQUIRE(Op(s, {"SET", "str", "v", "PXAT", "4102444800000"}).ok());
  REQUIRE(Op(s, {"HSET", "h", "f1", "1", "f2", std::string("\0bin", 4)}).ok());
  REQUIRE(Op(s, {"RPUSH", "l", "x", "y"}, 3).ok());
  REQUIRE(Op(s, {"SADD", "set", "m1", "m2"}).ok());
  REQUIRE(Op(s, {"ZADD", "z", "2", "b", "1", "a"}, 15).ok());
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  strongbox::format::DatasetId id{4, 2};
  auto written = st::WriteSnapshot(fs, "/d", id, 99, 1, s, {});
  REQUIRE(written.ok());
  CHECK(written->entry_count == 5);
  st::State loaded;
  auto info = st::LoadSnapshot(fs, written->path, id, &loaded);
  REQUIRE(info.ok());
  CHECK(info->lsn == 99);
  CHECK(st::StateDigest(loaded) == st::StateDigest(s));
  CHECK(loaded.db(0).FindRaw("str")->expire_at_ms() == 4102444800000);
  CHECK(loaded.db(0).expires() == 1);
  const st::ListValue& l = *loaded.db(3).FindRaw("l")->list();
  CHECK(l[l.size() - 1] == "y");
  CHECK(loaded.db(15).FindRaw("z")->zset()->Rank("a") == 0u);
  // One changed entry changes the digest.
  REQUIRE(Op(loaded, {"SADD", "set", "m3"}).ok());
  CHECK(st::StateDigest(loaded) != st::StateDigest(s));
  // A foreign data set is refused.
  CHECK_FALSE(st::LoadSnapshot(fs, written->path, strongbox::format::DatasetId{9}, nullptr).ok());
}

TEST_CASE("function libraries: effects change the map, snapshots carry it") {
  st::State s;
  uint64_t version = s.libraries_version();
  REQUIRE(Op(s, {"FUNCTIONSET", "lib1", "#!lua name=lib1\ncode1"}).ok());
  REQUIRE(Op(s, {"FUNCTIONSET", "lib2", "#!lua name=lib2\ncode2"}).ok());
  REQUIRE(Op(s, {"FUNCTIONDEL", "lib2"}).ok());
  CHECK_FALSE(Op(s, {"FUNCTIONDEL", "lib2"}).ok());  // replay: a missing library is damage
  CHECK(s.libraries_version() != version);
  REQUIRE(Op(s, {"SET", "k", "v"}).ok());
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  strongbox::format::DatasetId id{4, 2};
  auto written = st::WriteSnapshot(fs, "/d", id, 7, 1, s, {});
  REQUIRE(written.ok());
  st::State loaded;
  REQUIRE(st::LoadSnapshot(fs, written->path, id, &loaded).ok());
  CHECK(loaded.libraries() == s.libraries());
  CHECK(loaded.libraries().size() == 1);
  CHECK(loaded.db(0).FindRaw("k") != nullptr);
  REQUIRE(Op(loaded, {"FUNCTIONFLUSH"}).ok());
  CHECK(loaded.libraries().empty());
}

TEST_CASE("segment replay applies only what follows the position, stops, and refuses a gap") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  strongbox::format::DatasetId id{7};
  std::string seg1 = PutSegment(fs, id, 1, 5);
  std::string seg2 = PutSegment(fs, id, 6, 9);
  st::State s;
  st::ReplayPosition pos{.lsn = 2};  // as if a snapshot covered LSNs 1 and 2
  auto scan = st::ReplaySegment(fs, seg1, id, /*stop_after_lsn=*/0, &s, &pos);
  REQUIRE(scan.ok());
  CHECK(scan->end == strongbox::format::SegmentEnd::kSealed);
  CHECK(pos.lsn == 5);
  CHECK(pos.timestamp_ms == 1005);
  CHECK(pos.records_applied == 3);
  CHECK(s.db(0).FindRaw("l")->list()->size() == 3);
  // Stop after LSN 7: the rest of the segment is read but not applied.
  scan = st::ReplaySegment(fs, seg2, id, 7, &s, &pos);
  REQUIRE(scan.ok());
  CHECK(scan->lsn_last == 9);
  CHECK(pos.lsn == 7);
  CHECK(pos.records_applied == 5);
  // A state at LSN 3 cannot take a segment that starts at 6.
  st::State other;
  st::ReplayPosition behind{.lsn = 3};
  CHECK(absl::IsFailedPrecondition(st::ReplaySegment(fs, seg2, id, 0, &other, &behind).status()));
  CHECK(behind.lsn == 3);
  // A segment of another data set is damage.
  st::ReplayPosition fresh;
  CHECK(absl::IsDataLoss(
      st::ReplaySegment(fs, seg1, strongbox::format::DatasetId{8}, 0, &other, &fresh).status()));
}

TEST_CASE("the newest snapshot that verifies is loaded; NotFound passes through") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  strongbox::format::DatasetId id{3};
  st::State s;
  REQUIRE(Op(s, {"SET", "k", "old"}).ok());
  auto older = st::WriteSnapshot(fs, "/d", id, 10, 1, s, {});
  REQUIRE(older.ok());
  REQUIRE(Op(s, {"SET", "k", "new"}).ok());
  auto newer = st::WriteSnapshot(fs, "/d", id, 20, 2, s, {});
  REQUIRE(newer.ok());
  // Damage the newer one: its frame no longer decodes.
  auto f = fs.Open(newer->path, strongbox::io::FileSystem::OpenMode::kReadWrite);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(newer->file_bytes / 2, "\xff\xff\xff\xff").ok());
  std::vector<std::string> logged;
  auto log = [&](const std::string& m) { logged.push_back(m); };
  st::State loaded;
  auto info = st::LoadNewestSnapshot(fs, {newer->path, older->path}, id, &loaded, log);
  REQUIRE(info.ok());
  REQUIRE(info->has_value());
  CHECK((*info)->lsn == 10);
  CHECK(st::StateDigest(loaded) != st::StateDigest(s));
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].find("falling back") != std::string::npos);
  // None verifies: an empty state and no snapshot.
  info = st::LoadNewestSnapshot(fs, {newer->path}, id, &loaded, log);
  REQUIRE(info.ok());
  CHECK_FALSE(info->has_value());
  CHECK(loaded.TotalKeys() == 0);
  // A file archived between listing and loading is the caller's to list again.
  info = st::LoadNewestSnapshot(fs, {"/d/gone.snap.zst", older->path}, id, &loaded, log);
  CHECK(absl::IsNotFound(info.status()));
}
