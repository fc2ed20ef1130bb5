// The primary's segment reader: every durable record once, in order, across rotations, never
// past the durable LSN; NotFound once the segment of an LSN is gone. And the replica's log:
// records appended with the primary's LSNs and bytes read back the same.
#include "engine/replication/segment_cursor.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/record_codec.h"
#include "common/io/fault_file_system.h"
#include "engine/durability/durable_log.h"
#include "engine/replication/replication_protocol.h"

using namespace strongbox;
using engine::replication::CheckRecords;
using engine::replication::SegmentCursor;

namespace {

constexpr char kDir[] = "/data";

struct LogFixture {
  io::FaultFileSystem fs;
  format::DatasetId id{7};
  std::unique_ptr<engine::DurableLog> log;

  LogFixture() {
    REQUIRE(fs.CreateDir(kDir).ok());
    log = std::make_unique<engine::DurableLog>(
        fs, engine::DurableLogOptions{kDir, 1u << 20, 1'000'000}, id, 0);
    REQUIRE(log->Rotate(1).ok());
  }

  void Flush() {
    auto batch = log->TakeBatch();
    REQUIRE(batch.has_value());
    REQUIRE(batch->file->WriteAt(batch->offset, batch->data).ok());
    log->BatchDurable();
  }

  // One record per call, `value_bytes` long; durable unless `pending`.
  void Write(size_t value_bytes, bool pending = false) {
    log->BeginRecord(1);
    std::string key = "k" + std::to_string(log->lsn_assigned() + 1);
    std::string value(value_bytes, 'v');
    std::string_view argv[] = {"SET", key, value};
    log->builder().AddOp(0, argv);
    REQUIRE(log->EndRecord() != 0);
    if (!pending) Flush();
  }
};

// Reads everything the cursor gives up to `durable` in calls of `max_bytes` (a call that only
// skipped records appends none).
std::string ReadAll(SegmentCursor& cursor, uint64_t durable, size_t max_bytes) {
  std::string out;
  for (int calls = 0; calls < 10'000 && cursor.next_lsn() <= durable; ++calls) {
    REQUIRE(cursor.Read(durable, max_bytes, &out).ok());
  }
  std::string none;
  REQUIRE(*cursor.Read(durable, max_bytes, &none) == 0);  // nothing past the durable LSN
  REQUIRE(none.empty());
  return out;
}

}  // namespace

TEST_CASE("the cursor reads every durable record once across rotations and large records") {
  LogFixture f;
  for (int i = 0; i < 50; ++i) f.Write(100);
  REQUIRE(f.log->Rotate(2, /*force=*/true).ok());
  f.Write(600 * 1024);  // larger than one read chunk
  for (int i = 0; i < 50; ++i) f.Write(10);
  REQUIRE(f.log->Rotate(3, /*force=*/true).ok());
  for (int i = 0; i < 20; ++i) f.Write(10);
  f.Write(10, /*pending=*/true);  // assigned, not durable: never read
  uint64_t durable = f.log->lsn_durable();
  REQUIRE(durable == 121);
  for (size_t max_bytes : {size_t{1}, size_t{4096}, size_t{1} << 30}) {
    for (uint64_t from : {uint64_t{1}, uint64_t{30}, uint64_t{51}, uint64_t{52}, uint64_t{121}}) {
      SegmentCursor cursor(f.fs, kDir, "", from);
      std::string bytes = ReadAll(cursor, durable, max_bytes);
      auto run = CheckRecords(bytes, from);
      REQUIRE(run.ok());
      CHECK(run->lsn_last == durable);
      CHECK(cursor.next_lsn() == durable + 1);
    }
  }
  // Later records become durable: the same cursor goes on from where it stopped.
  SegmentCursor cursor(f.fs, kDir, "", 100);
  ReadAll(cursor, durable, 1 << 20);
  f.Flush();
  std::string more = ReadAll(cursor, f.log->lsn_durable(), 1 << 20);
  auto run = CheckRecords(more, durable + 1);
  REQUIRE(run.ok());
  CHECK(run->records == 1);
}

TEST_CASE("an LSN whose segment is gone is NotFound") {
  LogFixture f;
  for (int i = 0; i < 10; ++i) f.Write(10);
  REQUIRE(f.log->Rotate(2, /*force=*/true).ok());
  for (int i = 0; i < 10; ++i) f.Write(10);
  auto listing = format::ScanDirectory(f.fs, kDir);
  REQUIRE(listing.ok());
  REQUIRE(listing->sealed.size() == 1);
  REQUIRE(f.fs.Unlink(std::string(kDir) + "/" + listing->sealed[0].name).ok());
  CHECK(!SegmentCursor::Available(f.fs, kDir, "", 5));
  CHECK(SegmentCursor::Available(f.fs, kDir, "", 11));
  SegmentCursor cursor(f.fs, kDir, "", 5);
  std::string out;
  CHECK(absl::IsNotFound(cursor.Read(f.log->lsn_durable(), 1 << 20, &out).status()));
}

TEST_CASE("a replica's log takes the primary's records with their LSNs and bytes") {
  LogFixture primary;
  for (int i = 0; i < 30; ++i) primary.Write(20);
  SegmentCursor cursor(primary.fs, kDir, "", 1);
  std::string records = ReadAll(cursor, primary.log->lsn_durable(), 1 << 20);

  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  engine::DurableLog replica(fs, {kDir, 1u << 20, 1'000'000}, format::DatasetId{9}, 0);
  REQUIRE(replica.Rotate(1).ok());
  // A full resync first: the log continues after LSN 0 of the primary's data set.
  replica.ResetTo(0, primary.id);
  REQUIRE(replica.Rotate(1).ok());
  std::string_view rest = records;
  while (!rest.empty()) {
    format::RecordView r;
    REQUIRE(format::DecodeRecord(rest, &r) == format::DecodeResult::kOk);
    replica.AppendReplicated(rest.substr(0, r.total_bytes), r.lsn);
    rest.remove_prefix(r.total_bytes);
  }
  auto batch = replica.TakeBatch();
  REQUIRE(batch.has_value());
  REQUIRE(batch->file->WriteAt(batch->offset, batch->data).ok());
  replica.BatchDurable();
  CHECK(replica.lsn_durable() == 30);
  SegmentCursor again(fs, kDir, "", 1);
  CHECK(ReadAll(again, replica.lsn_durable(), 1 << 20) == records);
}
