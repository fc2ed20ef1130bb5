// Replay applies records in batches (segment_replay.cc): the state and the position must be
// exactly those of applying one record at a time, also when a record in the middle of a batch
// does not apply or the segment is damaged after good records.
#include "common/state/segment_replay.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace st = strongbox::state;
namespace fmt = strongbox::format;

namespace {

const fmt::DatasetId kId{9, 9};

struct Op {
  uint8_t db;
  std::vector<std::string> argv;
};
using Record = std::vector<Op>;

// Writes `records` (LSN 1, 2, ...) as a sealed segment; returns its path and the offset
// where each record starts.
std::string PutSegment(strongbox::io::FileSystem& fs, const std::vector<Record>& records,
                       std::vector<size_t>* offsets = nullptr) {
  std::string bytes = fmt::EncodeSegmentHeader({fmt::kLogFormatVersion, kId, 1, 1});
  fmt::RecordBuilder b(&bytes);
  for (size_t i = 0; i < records.size(); ++i) {
    if (offsets != nullptr) offsets->push_back(bytes.size());
    b.Begin(i + 1, static_cast<int64_t>(1000 + i + 1));
    for (const Op& op : records[i]) {
      std::vector<std::string_view> argv(op.argv.begin(), op.argv.end());
      b.AddOp(op.db, argv);
    }
    b.Finish();
  }
  fmt::AppendSealRecord(&bytes, records.size(), records.size(), 1);
  std::string path = "/d/" + fmt::SealedSegmentName(1, records.size());
  auto f = fs.Open(path, strongbox::io::FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(0, bytes).ok());
  return path;
}

// Sets, expiries, deletes and collections over three databases: tables grow several times.
std::vector<Record> Workload(int n) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    auto db = static_cast<uint8_t>(i % 3);
    std::string k = "k" + std::to_string(i);
    Record r{{db, {"SET", k, std::string(30, 'v') + std::to_string(i)}}};
    if (i % 5 == 0) r.push_back({db, {"PEXPIREAT", k, std::to_string(4102444800000 + i)}});
    if (i % 7 == 0 && i > 0) r.push_back({db, {"DEL", "k" + std::to_string(i - 3)}});
    if (i % 11 == 0) r.push_back({0, {"RPUSH", "list", k}});
    records.push_back(std::move(r));
  }
  return records;
}

st::State ApplyDirectly(const std::vector<Record>& records) {
  st::State s;
  for (const Record& r : records) {
    for (const Op& op : r) {
      std::vector<std::string_view> argv(op.argv.begin(), op.argv.end());
      REQUIRE(st::ApplyOp(s, op.db, argv).ok());
    }
  }
  return s;
}

}  // namespace

TEST_CASE("a batched replay builds the state of applying record by record") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  std::vector<Record> records = Workload(5000);
  std::string path = PutSegment(fs, records);
  st::State replayed;
  st::ReplayPosition pos;
  auto scan = st::ReplaySegment(fs, path, kId, 0, &replayed, &pos);
  REQUIRE(scan.ok());
  CHECK(pos.lsn == 5000);
  CHECK(pos.records_applied == 5000);
  CHECK(pos.timestamp_ms == 6000);
  st::State direct = ApplyDirectly(records);
  CHECK(st::StateDigest(replayed) == st::StateDigest(direct));
  for (int db = 0; db < 3; ++db) {
    CHECK(replayed.db(db).size() == direct.db(db).size());
    CHECK(replayed.db(db).expiry_index() == direct.db(db).expiry_index());
  }
}

TEST_CASE("a record that does not apply in the middle of a batch stops the replay there") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  std::vector<Record> records = Workload(40);
  records[22] = {{0, {"RPUSH", "list", "x"}}, {0, {"LSET", "missing", "0", "x"}}};  // LSN 23
  std::string path = PutSegment(fs, records);
  st::State s;
  st::ReplayPosition pos;
  auto scan = st::ReplaySegment(fs, path, kId, 0, &s, &pos);
  REQUIRE(absl::IsDataLoss(scan.status()));
  CHECK(scan.status().message().find("record LSN 23 does not apply") != std::string::npos);
  CHECK(pos.lsn == 22);
  CHECK(pos.records_applied == 22);
  CHECK(pos.timestamp_ms == 1022);
  CHECK(s.db(2).FindRaw("k23") == nullptr);  // LSN 24 was not applied
}

TEST_CASE("damage after good records: they are applied, then the damage is reported") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  std::vector<Record> records = Workload(40);
  std::vector<size_t> offsets;
  std::string path = PutSegment(fs, records, &offsets);
  auto f = fs.Open(path, strongbox::io::FileSystem::OpenMode::kReadWrite);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(offsets[29] + 40, "\xff\xff").ok());  // record LSN 30's payload rots
  st::State s;
  st::ReplayPosition pos;
  auto scan = st::ReplaySegment(fs, path, kId, 0, &s, &pos);
  REQUIRE(absl::IsDataLoss(scan.status()));
  CHECK(scan.status().message().find("checksum") != std::string::npos);
  CHECK(pos.lsn == 29);
  std::vector<Record> good(records.begin(), records.begin() + 29);
  CHECK(st::StateDigest(s) == st::StateDigest(ApplyDirectly(good)));
}
