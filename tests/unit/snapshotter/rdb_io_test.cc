// Whole RDB images: what WriteRdb writes, ReadRdb reads back to the same state (every type,
// expiries, several databases, function libraries); expired keys are left out both ways; a
// damaged image is an error, never a crash.
#include "snapshotter/rdb_io.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace strongbox::snapshotter {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;

void Run(state::State& st, uint8_t db, std::vector<std::string_view> argv) {
  REQUIRE(state::ApplyOp(st, db, argv).ok());
}

state::State Sample() {
  state::State st;
  Run(st, 0, {"SET", "s", "v", "PXAT", "1800000000000"});
  Run(st, 0, {"SET", "old", "v", "PXAT", "1600000000000"});  // expired at kNowMs
  Run(st, 1, {"RPUSH", "l", "a", "17"});
  Run(st, 2, {"HSET", "h", "f", "v"});
  Run(st, 2, {"SADD", "set", "1", "x"});
  Run(st, 5, {"ZADD", "z", "1.25", "m"});
  Run(st, 15, {"XADD", "x", "1-1", "f", "v"});
  st.SetLibrary("lib", "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
  return st;
}

TEST_CASE("an RDB image reads back as the state written") {
  state::State st = Sample();
  std::string image = WriteRdb(st, kNowMs);
  state::State back;
  RdbImportStats stats;
  REQUIRE(ReadRdb(image, kNowMs, &back, &stats).ok());
  CHECK(stats.keys == 6);
  CHECK(stats.libraries == 1);
  CHECK(back.libraries() == st.libraries());
  Run(st, 0, {"DEL", "old"});
  CHECK(state::StateDigest(back) == state::StateDigest(st));
  CHECK(back.db(0).FindRaw("s")->expire_at_ms() == 1800000000000);
}

TEST_CASE("expired keys in an RDB are skipped at import") {
  state::State st = Sample();
  std::string image = WriteRdb(st, 0);  // keeps "old"
  state::State back;
  RdbImportStats stats;
  REQUIRE(ReadRdb(image, kNowMs, &back, &stats).ok());
  CHECK(stats.expired_skipped == 1);
  CHECK(back.db(0).FindRaw("old") == nullptr);
}

TEST_CASE("damaged RDB images are errors") {
  std::string image = WriteRdb(Sample(), kNowMs);
  for (size_t len = 0; len < image.size(); ++len) {
    state::State back;
    RdbImportStats stats;
    CHECK_FALSE(ReadRdb(image.substr(0, len), kNowMs, &back, &stats).ok());
  }
  for (size_t i = 9; i < image.size(); ++i) {
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    state::State back;
    RdbImportStats stats;
    CHECK_FALSE(ReadRdb(bad, kNowMs, &back, &stats).ok());  // the checksum catches the rest
  }
}

}  // namespace
}  // namespace strongbox::snapshotter
