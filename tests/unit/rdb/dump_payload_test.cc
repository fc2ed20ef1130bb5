// DUMP payloads: CRC-64, Redis 7.0's own payloads decode to the values they were dumped from,
// and ours decode back to the same value; damaged payloads are errors.
#include "common/rdb/dump_payload.h"

#include <catch2/catch.hpp>

#include "common/rdb/crc64.h"
#include "tests/unit/rdb/rdb_test_util.h"

namespace strongbox::rdb {
namespace {

using testing::Canonical;
using testing::Materialize;
using testing::Run;
using testing::Unhex;

TEST_CASE("crc64 matches Redis's check value") {
  CHECK(Crc64(0, "123456789") == 0xe9c6d914c4b8d9caull);
  CHECK(Crc64(Crc64(0, "1234"), "56789") == 0xe9c6d914c4b8d9caull);
}

// Payloads written by Debian's redis-server 7.0 (DUMP), one per encoding.
TEST_CASE("Redis 7.0 payloads decode") {
  struct Case {
    const char* hex;
    std::initializer_list<std::string_view> build;
  };
  const Case cases[] = {
      {"000568656c6c6f0a006372df766534200a", {"SET", "k", "hello"}},
      {"00c139300a009d94ea2793fc08b9", {"SET", "k", "12345"}},
      {"00c3094064016161e057000161610a00e8a3b507b06df271",
       {"SET", "k",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaa"}},
      {"120102c3204060186000000006008161028162020701ded402f2a0860104e04678e03c000148ff0a002ef33cb6"
       "69390c09",
       {"RPUSH", "k", "a", "b", "7", "-300", "100000",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},
      {"0b14040000000300000090eefeff01000000020000000a005d9df7da2f43d06b",
       {"SADD", "k", "1", "2", "-70000"}},
      {"0202016201610a0075d99d835ef85f65", {"SADD", "k", "a", "b"}},
      {"10141400000004008266310382763103816e020501ff0a004a988b2717ac0980",
       {"HSET", "k", "f1", "v1", "n", "5"}},
      {"1120200000000600826d3203dffe02826d310383312e3504826d3303f2a0860104ff0a009c9eb8bd08cb0c0d",
       {"ZADD", "k", "1.5", "m1", "-2", "m2", "100000", "m3"}},
  };
  for (const Case& c : cases) {
    std::string payload = Unhex(c.hex);
    INFO(c.hex);
    REQUIRE(DumpPayloadFooterOk(payload));
    auto value = DecodeDumpPayload(payload);
    REQUIRE(value.ok());
    state::State expected;
    Run(expected, c.build);
    CHECK(Canonical(Materialize("k", *value), "k") == Canonical(expected, "k"));
  }
}

std::vector<std::string> Strings(const state::StreamValue::Fields& fields) {
  return {fields.begin(), fields.end()};
}

TEST_CASE("a Redis 7.0 stream payload keeps entries, deletions and counters") {
  std::string payload = Unhex(
      "130110000000000000000500000000000000014045450000001900020101010201816102816202000102010001"
      "000101018374776f040501030100010101020185746872656506050100010101dfff02010181630203010601ff02"
      "06000501050203000a005f35eede87f9c1cb");
  REQUIRE(DumpPayloadFooterOk(payload));
  auto value = DecodeDumpPayload(payload);
  REQUIRE(value.ok());
  const state::StreamValue& st = value->stream;
  REQUIRE(st.entries.size() == 2);
  CHECK(st.entries.begin()->first == state::StreamId{5, 1});
  CHECK(Strings(st.entries.begin()->second) == std::vector<std::string>{"a", "1", "b", "two"});
  CHECK(st.entries.rbegin()->first == state::StreamId{6, 0});
  CHECK(Strings(st.entries.rbegin()->second) == std::vector<std::string>{"c", "3"});
  CHECK(st.last_id == state::StreamId{6, 0});
  CHECK(st.max_deleted_id == state::StreamId{5, 2});
  CHECK(st.entries_added == 3);
}

TEST_CASE("our payloads decode to the value dumped") {
  state::State st;
  Run(st, {"SET", "str", "a longer string value that is not an integer"});
  Run(st, {"SET", "int", "-123456"});
  Run(st, {"SET", "big-int", "12345678901234"});
  Run(st, {"RPUSH", "list", "x", "", "42"});
  Run(st, {"SADD", "set", "m1", "7", "m3"});
  Run(st, {"HSET", "hash", "f", "v", "g", ""});
  Run(st, {"ZADD", "zset", "inf", "top", "-inf", "bottom", "0.1", "mid"});
  Run(st, {"XADD", "stream", "1-1", "a", "1", "b", "2"});
  Run(st, {"XADD", "stream", "1-2", "a", "3", "b", "4"});
  Run(st, {"XADD", "stream", "2-0", "other", "5"});
  Run(st, {"XSETID", "stream", "9-9", "17", "1-0"});
  for (std::string_view key : {"str", "int", "big-int", "list", "set", "hash", "zset", "stream"}) {
    INFO(key);
    std::string payload = MakeDumpPayload(*st.db(0).FindRaw(key));
    REQUIRE(DumpPayloadFooterOk(payload));
    auto value = DecodeDumpPayload(payload);
    REQUIRE(value.ok());
    CHECK(Canonical(Materialize(key, *value), key) == Canonical(st, key));
  }
}

TEST_CASE("a big stream spans several listpack nodes and an empty stream survives") {
  state::State st;
  for (int i = 1; i <= 250; ++i) {
    std::string id = std::to_string(i) + "-0";
    std::string v = std::to_string(i * 1000);
    Run(st, {"XADD", "s", id, "field", v});
  }
  Run(st, {"XADD", "empty", "3-0", "f", "v"});
  Run(st, {"XTRIM", "empty", "MAXID", "3-0"});
  for (std::string_view key : {"s", "empty"}) {
    auto value = DecodeDumpPayload(MakeDumpPayload(*st.db(0).FindRaw(key)));
    REQUIRE(value.ok());
    CHECK(Canonical(Materialize(key, *value), key) == Canonical(st, key));
  }
}

TEST_CASE("version and checksum are checked") {
  std::string payload = Unhex("000568656c6c6f0a006372df766534200a");
  std::string flipped = payload;
  flipped[2] ^= 1;
  CHECK_FALSE(DumpPayloadFooterOk(flipped));
  std::string newer = payload;
  newer[payload.size() - 10] = 11;  // RDB version 11
  CHECK_FALSE(DumpPayloadFooterOk(newer));
  CHECK_FALSE(DumpPayloadFooterOk("short"));
}

}  // namespace
}  // namespace strongbox::rdb
