// The effect vocabulary per type, and the snapshot round trip: a state rebuilt from a snapshot
// has the same digest and the same content as the one written.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace st = strongbox::state;

namespace {

absl::Status Op(st::State& s, std::vector<std::string> argv, uint8_t db = 0) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return st::ApplyOp(s, db, views);
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
