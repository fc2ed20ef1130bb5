// A crash cannot shrink a preallocated segment: an .active file cut below the size its header
// records is damage that recovery refuses, naming the file; a real torn tail (size unchanged,
// zero-filled) and segments from before the header carried the size recover as before.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "tests/unit/durability/recovery_fixture.h"

namespace sb = strongbox;
using sb::testing::RecoveryFixture;

namespace {

constexpr uint64_t kRotationBytes = 8192;
// What the log prepares for that rotation size (the file's size and its header's record).
const uint64_t kPreparedBytes = sb::engine::PreparedBytes(kRotationBytes);
constexpr int kRecords = 6;

// One engine-written active segment (kill -9 after kRecords durable records) to cut copies of.
struct Original {
  RecoveryFixture f;
  std::string path = f.WriteActive(0, kRecords, kRotationBytes);
  std::string bytes = *f.fs.Contents(path);
  std::vector<uint64_t> offsets = f.RecordOffsets(path);  // records, then their end
};

// A fresh directory of the same data set whose active segment holds `bytes`.
void PlaceCopy(const Original& o, RecoveryFixture& g, const std::string& bytes) {
  g.id = o.f.id;
  g.Put(RecoveryFixture::PathOf(std::string(sb::format::kDatasetIdFile)),
        *o.f.fs.Contents(RecoveryFixture::PathOf(std::string(sb::format::kDatasetIdFile))));
  g.Put(o.path, bytes);
}

std::string WithoutTrailingZeros(std::string s) {
  size_t last = s.find_last_not_of('\0');
  s.resize(last == std::string::npos ? 0 : last + 1);
  return s;
}

}  // namespace

TEST_CASE("the segment header records the preallocated size") {
  Original o;
  REQUIRE(o.bytes.size() == kPreparedBytes);
  auto header = sb::format::DecodeSegmentHeader(o.bytes);
  REQUIRE(header.ok());
  CHECK(header->preallocated_bytes == kPreparedBytes);
  CHECK(header->lsn_first == 1);
}

TEST_CASE("an active segment cut below its preallocated size is damage, named, never trimmed") {
  Original o;
  uint64_t end = o.offsets.back();
  std::vector<uint64_t> cuts;
  for (uint64_t cut = sb::format::kSegmentHeaderBytes; cut <= end; ++cut) cuts.push_back(cut);
  // Past the records, in the zero-filled space, too (end + 48 is a crash while sealing).
  for (uint64_t cut : {end + 1, end + 47, end + 49, end + 1000, kPreparedBytes - 1}) {
    cuts.push_back(cut);
  }
  for (uint64_t cut : cuts) {
    INFO("cut at " << cut);
    RecoveryFixture g;
    std::string cut_bytes = o.bytes.substr(0, cut);
    PlaceCopy(o, g, cut_bytes);
    auto result = g.Recover();
    REQUIRE_FALSE(result.ok());
    CHECK(absl::IsDataLoss(result.status()));
    std::string message(result.status().message());
    CHECK_THAT(message, Catch::Contains(o.path));
    CHECK_THAT(message, Catch::Contains(std::to_string(cut) + " bytes"));
    CHECK_THAT(message, Catch::Contains(std::to_string(kPreparedBytes) + " bytes preallocated"));
    CHECK_THAT(message, Catch::Contains("strongbox-snapshotter verify"));
    CHECK(*g.fs.Contents(o.path) == cut_bytes);  // never trimmed, nothing set aside
    for (const std::string& name : g.Names()) CHECK_FALSE(name.ends_with(".torn"));
    // The reader the snapshotter's verify uses says the same.
    auto scan = sb::format::ScanSegment(g.fs, o.path, g.id, nullptr);
    REQUIRE(scan.ok());
    CHECK(scan->end == sb::format::SegmentEnd::kDamage);
  }
}

TEST_CASE("a crash while sealing, the new size durable before the seal record, seals again") {
  Original o;
  uint64_t end = o.offsets.back();
  std::string seal;
  sb::format::AppendSealRecord(&seal, kRecords, kRecords, 1);
  REQUIRE(seal.size() == 48);
  RecoveryFixture g;
  SECTION("seal record never written") {
    PlaceCopy(o, g, o.bytes.substr(0, end) + std::string(48, '\0'));
  }
  SECTION("seal record written in part") {
    seal[0] ^= 0x01;  // its checksum does not match
    PlaceCopy(o, g, o.bytes.substr(0, end) + seal);
  }
  auto result = g.Recover();
  REQUIRE(result.ok());
  CHECK(result->lsn_last == kRecords);
  CHECK(g.Has(sb::format::SealedSegmentName(1, kRecords)));
}

TEST_CASE("a torn tail inside the last record, file size unchanged, recovers as before") {
  Original o;
  uint64_t last = o.offsets[kRecords - 1];
  uint64_t end = o.offsets.back();
  for (uint64_t cut = last + 1; cut < end; ++cut) {
    INFO("cut at " << cut);
    RecoveryFixture g;
    // Bytes never written read back as zeros; the preallocated size stays.
    PlaceCopy(o, g, o.bytes.substr(0, cut) + std::string(kPreparedBytes - cut, '\0'));
    auto result = g.Recover();
    REQUIRE(result.ok());
    CHECK(result->lsn_last == kRecords - 1);
    CHECK(g.state.db(0).Find("k" + std::to_string(kRecords), 0) == nullptr);
    CHECK(result->torn_bytes == kPreparedBytes - last);
    auto torn = g.fs.Contents(o.path + ".torn");
    REQUIRE(torn.has_value());
    CHECK(*torn == WithoutTrailingZeros(o.bytes.substr(last, cut - last)));
    CHECK(g.Has(sb::format::SealedSegmentName(1, kRecords - 1)));
  }
}

TEST_CASE("segments from before the header carried the size are judged as before") {
  Original o;
  auto header = sb::format::DecodeSegmentHeader(o.bytes);
  REQUIRE(header.ok());
  header->preallocated_bytes = 0;  // reserved, 0: how older builds wrote it
  std::string old_format =
      sb::format::EncodeSegmentHeader(*header) + o.bytes.substr(sb::format::kSegmentHeaderBytes);
  uint64_t last = o.offsets[kRecords - 1];
  SECTION("short file cut inside the last record: a torn tail") {
    RecoveryFixture g;
    PlaceCopy(o, g, old_format.substr(0, last + 10));
    auto result = g.Recover();
    REQUIRE(result.ok());
    CHECK(result->lsn_last == kRecords - 1);
    CHECK(result->torn_bytes == 10);
  }
  SECTION("short file cut at a record boundary: a clean end") {
    RecoveryFixture g;
    PlaceCopy(o, g, old_format.substr(0, last));
    auto result = g.Recover();
    REQUIRE(result.ok());
    CHECK(result->lsn_last == kRecords - 1);
    CHECK(result->torn_bytes == 0);
  }
}
