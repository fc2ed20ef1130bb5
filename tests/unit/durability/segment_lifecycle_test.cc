// A segment file becomes active only once it is fully prepared (allocated, zero-filled to its
// size, synced): a crash at any step of preparation, promotion, writing or sealing never leaves
// an active segment that is short or holds bytes other than its header, its records and
// zeros. And a file that holds records of an earlier segment after its own (a recycled file,
// crafted here) never replays them: the reader stops at the first stale record.
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
const uint64_t kPreparedBytes = sb::engine::PreparedBytes(kRotationBytes);

// Appends one SET k<LSN> <value> record through the log and makes it durable as the engine
// does (write, then fdatasync). False once the simulated crash refuses an operation.
bool WriteRecord(sb::engine::DurableLog& log, int64_t now_ms) {
  log.BeginRecord(now_ms);
  std::string lsn = std::to_string(log.lsn_assigned() + 1);
  std::string key = "k";
  key += lsn;
  std::string_view argv[] = {"SET", key, lsn};
  log.builder().AddOp(0, argv);
  REQUIRE(log.EndRecord() != 0);
  return sb::testing::WriteBatch(log);
}

// Three segments' worth of the engine's life (open, write, rotate) until the crash stops it.
// Returns the last durable LSN.
uint64_t RunUntilCrash(RecoveryFixture& f, int64_t crash_after_ops) {
  f.fs.CrashAfterMutatingOps(crash_after_ops);
  sb::engine::DurableLog log(f.fs, {sb::testing::kRecoveryDir, kRotationBytes, 1'000'000}, f.id, 0);
  for (int64_t round = 1; round <= 3; ++round) {
    if (!log.Rotate(round, /*force=*/true).ok() || !log.has_segment()) break;
    bool crashed = false;
    for (int i = 0; i < 4 && !crashed; ++i) crashed = !WriteRecord(log, round);
    if (crashed) break;
  }
  return log.lsn_durable();
}

// Stale records: LSNs [first, first + count) of an earlier history, each SET k<LSN> stale.
std::string StaleRecords(uint64_t first, int count) {
  std::string out;
  sb::format::RecordBuilder builder(&out);
  for (int i = 0; i < count; ++i) {
    std::string key = "k";
    key += std::to_string(first + i);
    builder.Begin(first + i, 1);
    std::string_view argv[] = {"SET", key, "stale"};
    builder.AddOp(0, argv);
    builder.Finish();
  }
  return out;
}

}  // namespace

TEST_CASE("a crash at any step never leaves a short active segment or one with stale bytes") {
  bool ran_to_the_end = false;
  for (int64_t ops = 0; !ran_to_the_end; ++ops) {
    INFO("crash after " << ops << " mutating operations");
    RecoveryFixture f;
    uint64_t durable = RunUntilCrash(f, ops);
    ran_to_the_end = !f.fs.crashed();
    f.fs.SimulatePowerLoss();
    for (const std::string& name : f.Names()) {
      if (sb::format::ParseFileName(name).kind != sb::format::FileKind::kActive) continue;
      std::string path = RecoveryFixture::PathOf(name);
      INFO(path);
      auto scan = sb::format::ScanSegment(f.fs, path, f.id, nullptr);
      REQUIRE(scan.ok());
      CHECK(scan->header.preallocated_bytes == kPreparedBytes);
      // A crash between sealing (seal record, truncate, fsync) and the rename leaves a sealed
      // file under the active name: complete, with its seal record.
      if (scan->end == sb::format::SegmentEnd::kSealed) continue;
      // Otherwise promotion renamed the file only after it was zero-filled to its full size
      // and synced: header, durable records, then zeros to the end; nothing torn or stale.
      CHECK(f.fs.Contents(path)->size() == kPreparedBytes);
      CHECK(scan->end == sb::format::SegmentEnd::kClean);
    }
    auto recovered = f.Recover();
    REQUIRE(recovered.ok());
    CHECK(recovered->lsn_last == durable);
  }
}

TEST_CASE("records of an earlier segment left after a segment's own are never replayed") {
  RecoveryFixture original;
  // Segment 1..3 sealed, then segment 4..6 active (kill -9): the file recycling would reuse
  // held records 1..3 of an earlier life.
  {
    sb::engine::DurableLog log(original.fs, {sb::testing::kRecoveryDir, kRotationBytes, 1'000'000},
                               original.id, 0);
    REQUIRE(log.Rotate(1).ok());
    for (int i = 0; i < 3; ++i) REQUIRE(WriteRecord(log, 1));
    REQUIRE(log.Rotate(2, /*force=*/true).ok());
    for (int i = 0; i < 3; ++i) REQUIRE(WriteRecord(log, 2));
  }
  std::string active = RecoveryFixture::PathOf(sb::format::ActiveSegmentName(4));
  std::string bytes = *original.fs.Contents(active);
  uint64_t end = original.RecordOffsets(active).back();
  std::string stale = StaleRecords(1, 3);

  struct Placement {
    const char* what;
    uint64_t offset;    // where the stale bytes go
    size_t skip_bytes;  // of the stale records' start (a file reused mid-record)
  };
  const Placement placements[] = {
      {"right after the records, on a record boundary", end, 0},
      {"right after the records, mid-record", end, 7},
      {"after the zeros to the block end (O_DIRECT writes)", (end + 4095) / 4096 * 4096, 0},
  };
  for (const Placement& p : placements) {
    INFO(p.what);
    std::string crafted = bytes;
    crafted.replace(p.offset, stale.size() - p.skip_bytes, stale.substr(p.skip_bytes));
    REQUIRE(crafted.size() == bytes.size());

    RecoveryFixture f;
    f.id = original.id;
    for (const std::string& name : original.Names()) {
      std::string path = RecoveryFixture::PathOf(name);
      f.Put(path, path == active ? crafted : *original.fs.Contents(path));
    }
    // The reader stops at the first stale record: only 4, 5 and 6 come out of the file.
    std::vector<uint64_t> lsns;
    auto scan = sb::format::ScanSegment(f.fs, active, f.id, [&](const sb::format::RecordView& r) {
      lsns.push_back(r.lsn);
      return absl::OkStatus();
    });
    REQUIRE(scan.ok());
    CHECK(lsns == std::vector<uint64_t>{4, 5, 6});
    CHECK(scan->lsn_last == 6);
    CHECK(scan->valid_bytes == end);
    CHECK(scan->end != sb::format::SegmentEnd::kClean);
    CHECK(scan->problem_offset == end);

    // Recovery applies none of them: it cuts a torn tail, or refuses to start over a record
    // whose LSN is not the next one (damage: the file stays as it was for verify).
    auto recovered = f.Recover();
    if (recovered.ok()) {
      CHECK(recovered->lsn_last == 6);
      CHECK(recovered->records_replayed == 6);
      for (int k = 1; k <= 6; ++k) {
        std::string key = "k";
        key += std::to_string(k);
        const sb::state::Entry* e = f.state.db(0).Find(key, 0);
        REQUIRE(e != nullptr);
        CHECK(*e->str() == std::to_string(k));  // never "stale"
      }
    } else {
      CHECK(absl::IsDataLoss(recovered.status()));
      CHECK(*f.fs.Contents(active) == crafted);
    }
  }
}
