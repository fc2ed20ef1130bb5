// Snapshot request files: names, atomic writes, listing in LSN order.
#include "common/format/snapshot_request.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/io/fault_file_system.h"

namespace fmt_ = strongbox::format;
using strongbox::io::FaultFileSystem;

TEST_CASE("snapshot request names parse back and are no segment or snapshot") {
  CHECK(fmt_::SnapshotRequestName(42) == "snapshot-request-00000000000000000042.req");
  uint64_t lsn = 0;
  CHECK(fmt_::ParseSnapshotRequestName(fmt_::SnapshotRequestName(42), &lsn));
  CHECK(lsn == 42);
  CHECK_FALSE(fmt_::ParseSnapshotRequestName("snapshot-request-42.req", &lsn));
  CHECK_FALSE(fmt_::ParseSnapshotRequestName(fmt_::SnapshotRequestName(1) + ".tmp", &lsn));
  CHECK_FALSE(fmt_::ParseSnapshotRequestName(fmt_::SnapshotName(1), &lsn));
  CHECK(fmt_::ParseFileName(fmt_::SnapshotRequestName(42)).kind == fmt_::FileKind::kOther);
}

TEST_CASE("requests are written under their final name only and listed by LSN") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  REQUIRE(fmt_::WriteSnapshotRequest(fs, "/d", 900, 1'700'000'000'000).ok());
  REQUIRE(fmt_::WriteSnapshotRequest(fs, "/d", 7, 1'700'000'000'001).ok());
  auto listed = fmt_::ListSnapshotRequests(fs, "/d");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].lsn == 7);
  CHECK((*listed)[1].name == fmt_::SnapshotRequestName(900));
  auto scan = fmt_::ScanDirectory(fs, "/d");
  REQUIRE(scan.ok());
  CHECK(scan->tmp.empty());  // the temporary name was renamed away
  CHECK(scan->snapshots.empty());
}

TEST_CASE("a request that cannot be written reports why and leaves nothing behind") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  fs.SetFull(true);
  CHECK_FALSE(fmt_::WriteSnapshotRequest(fs, "/d", 5, 0).ok());
  auto names = fs.ListDir("/d");
  REQUIRE(names.ok());
  CHECK(names->empty());
}
