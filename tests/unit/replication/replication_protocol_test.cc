// The replication protocol's parsing: PSYNC answers, bulk headers, record runs.
#include "engine/replication/replication_protocol.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/format/record_codec.h"

using namespace strongbox;
using namespace strongbox::engine::replication;

namespace {

std::string Records(uint64_t first, int count) {
  std::string out;
  format::RecordBuilder b(&out);
  for (int i = 0; i < count; ++i) {
    b.Begin(first + i, 1000 + i);
    std::string_view argv[] = {"SET", "k", "v"};
    b.AddOp(0, argv);
    b.Finish();
  }
  return out;
}

}  // namespace

TEST_CASE("PSYNC answers parse and round-trip") {
  std::string id(40, 'a');
  auto full = ParsePsyncReply(FullResyncLine(id, 42).substr(0, FullResyncLine(id, 42).size() - 2));
  REQUIRE(full.ok());
  CHECK(full->kind == PsyncReply::kFullResync);
  CHECK(full->history_id == id);
  CHECK(full->lsn == 42);
  auto cont = ParsePsyncReply("+CONTINUE " + id);
  REQUIRE(cont.ok());
  CHECK(cont->kind == PsyncReply::kContinue);
  CHECK(cont->history_id == id);
  CHECK(!ParsePsyncReply("+FULLRESYNC " + id).ok());
  CHECK(!ParsePsyncReply("+FULLRESYNC " + id + " x").ok());
  CHECK(!ParsePsyncReply("+OK").ok());
  auto err = ParsePsyncReply("-NOAUTH Authentication required.");
  REQUIRE(!err.ok());
  CHECK(err.status().message() == "NOAUTH Authentication required.");
}

TEST_CASE("bulk headers are bounded") {
  CHECK(*ParseBulkHeader("$0", 10) == 0);
  CHECK(*ParseBulkHeader("$10", 10) == 10);
  CHECK(!ParseBulkHeader("$11", 10).ok());
  CHECK(!ParseBulkHeader("$-1", 10).ok());
  CHECK(!ParseBulkHeader("+PING", 10).ok());
  CHECK(!ParseBulkHeader("$", 10).ok());
  CHECK(BulkHeader(7) == "$7\r\n");
}

TEST_CASE("record runs must be whole, intact and contiguous") {
  std::string run = Records(5, 3);
  auto ok = CheckRecords(run, 5);
  REQUIRE(ok.ok());
  CHECK(ok->lsn_last == 7);
  CHECK(ok->records == 3);
  CHECK(CheckRecords("", 5)->records == 0);
  CHECK(!CheckRecords(run, 6).ok());                            // a gap or a replay
  CHECK(!CheckRecords(run.substr(0, run.size() - 1), 5).ok());  // cut
  std::string flipped = run;
  flipped[flipped.size() - 1] ^= 1;
  CHECK(!CheckRecords(flipped, 5).ok());  // checksum
  std::string sealed;
  format::AppendSealRecord(&sealed, 7, 3, 0);
  CHECK(!CheckRecords(sealed, 8).ok());  // seal records never travel
}
