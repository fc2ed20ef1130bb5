// The stream value and its effects: IDs parse as Redis reads them, XADD/XDEL/XTRIM/XSETID apply
// exactly (and refuse what replay must treat as damage), and a stream survives the snapshot
// encoding with its bookkeeping.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace st = strongbox::state;

namespace {

absl::Status Op(st::State& s, std::vector<std::string> argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return st::ApplyOp(s, 0, views);
}

const st::StreamValue& Stream(st::State& s, std::string_view key) {
  st::Entry* e = s.db(0).FindRaw(key);
  REQUIRE(e != nullptr);
  REQUIRE(e->stream() != nullptr);
  return *e->stream();
}

}  // namespace

TEST_CASE("stream IDs parse as Redis reads them") {
  CHECK(st::ParseStreamId("5", 7) == st::StreamId{5, 7});
  CHECK(st::ParseStreamId("5-3", 7) == st::StreamId{5, 3});
  CHECK(st::ParseStreamId("18446744073709551615-18446744073709551615", 0) ==
        st::StreamId{UINT64_MAX, UINT64_MAX});
  for (std::string_view bad : {"", "-", "x", "1-", "-1", "1-2-3", "18446744073709551616", "1-x"}) {
    INFO(bad);
    CHECK_FALSE(st::ParseStreamId(bad, 0).has_value());
  }
  CHECK_FALSE(st::ParseExactStreamId("5").has_value());
  CHECK(st::StreamId{1, UINT64_MAX}.Next() == st::StreamId{2, 0});
  CHECK_FALSE(st::StreamId{UINT64_MAX, UINT64_MAX}.Next().has_value());
}

TEST_CASE("stream effects apply exactly and refuse damage") {
  st::State s;
  REQUIRE(Op(s, {"XADD", "x", "1-1", "f", "v"}).ok());
  REQUIRE(Op(s, {"XADD", "x", "2-0", "f", "w", "g", "z"}).ok());
  REQUIRE(Op(s, {"XADD", "x", "3-0", "f", "u"}).ok());
  CHECK_FALSE(Op(s, {"XADD", "x", "3-0", "f", "u"}).ok());  // not above the last ID
  CHECK_FALSE(Op(s, {"XADD", "x", "4", "f", "u"}).ok());    // not resolved
  CHECK_FALSE(Op(s, {"XADD", "x", "5-0", "f"}).ok());       // a field without a value
  REQUIRE(Op(s, {"XDEL", "x", "2-0", "9-0"}).ok());
  const st::StreamValue& x = Stream(s, "x");
  CHECK(x.size() == 2);
  CHECK(x.max_deleted_id == st::StreamId{2, 0});
  CHECK(x.entries_added == 3);
  REQUIRE(Op(s, {"XTRIM", "x", "MAXID", "3-0"}).ok());
  CHECK(x.size() == 0);
  CHECK(x.max_deleted_id == st::StreamId{2, 0});  // a trim leaves it, as in Redis
  CHECK(x.last_id == st::StreamId{3, 0});
  REQUIRE(Op(s, {"XSETID", "x", "10-0", "7", "4-0"}).ok());
  CHECK(x.last_id == st::StreamId{10, 0});
  CHECK(x.entries_added == 7);
  CHECK(x.max_deleted_id == st::StreamId{4, 0});
  CHECK_FALSE(Op(s, {"XSETID", "missing", "1-0", "0", "0-0"}).ok());
  CHECK_FALSE(Op(s, {"XDEL", "missing", "1-0"}).ok());
  REQUIRE(Op(s, {"SET", "str", "v"}).ok());
  CHECK_FALSE(Op(s, {"XADD", "str", "1-0", "f", "v"}).ok());
  REQUIRE(Op(s, {"XADD", "y", "1-0", "a", "b"}).ok());
  REQUIRE(Op(s, {"XADD", "y", "5-0", "c", "d"}).ok());
  REQUIRE(Op(s, {"XSETID", "y", "4-0", "2", "0-0"}).ok() == false);  // below the top entry
}

TEST_CASE("a stream round-trips through the snapshot encoding") {
  st::State s;
  REQUIRE(Op(s, {"XADD", "x", "1-1", "f", "v", "", "\xff"}).ok());
  REQUIRE(Op(s, {"XADD", "x", "7-2", "f", "w"}).ok());
  REQUIRE(Op(s, {"XDEL", "x", "1-1"}).ok());
  REQUIRE(Op(s, {"XADD", "e", "3-0", "f", "w"}).ok());
  REQUIRE(Op(s, {"XTRIM", "e", "MAXID", "3-0"}).ok());
  REQUIRE(Op(s, {"PEXPIREAT", "e", "99999999999"}).ok());
  st::State loaded;
  for (std::string key : {"x", "e"}) {
    std::string bytes;
    st::EncodeEntry(0, key, *s.db(0).FindRaw(key), &bytes);
    REQUIRE(st::DecodeEntryInto(loaded, bytes).ok());
    // A truncated entry is damage, never a shorter stream.
    st::State other;
    CHECK_FALSE(st::DecodeEntryInto(other, bytes.substr(0, bytes.size() - 1)).ok());
  }
  CHECK(st::StateDigest(loaded) == st::StateDigest(s));
  const st::StreamValue& x = Stream(loaded, "x");
  CHECK(x.size() == 1);
  CHECK(x.entries.begin()->second == std::vector<std::string>{"f", "w"});
  CHECK(x.max_deleted_id == st::StreamId{1, 1});
  CHECK(x.entries_added == 2);
  CHECK(Stream(loaded, "e").last_id == st::StreamId{3, 0});
  CHECK(loaded.db(0).FindRaw("e")->expire_at_ms() == 99999999999);
  // A different stream digests differently (the bookkeeping is part of the value).
  REQUIRE(Op(s, {"XSETID", "e", "3-0", "2", "0-0"}).ok());
  CHECK(st::StateDigest(loaded) != st::StateDigest(s));
}
