// The value codec per encoding: old encodings Redis 7.0 still loads (ziplist, zipmap, intset,
// quicklist v1, text doubles), listpack integers, and damaged input of every kind.
#include <catch2/catch.hpp>

#include "common/rdb/packed_formats.h"
#include "common/rdb/rdb_value.h"
#include "common/rdb/rdb_writer.h"
#include "tests/unit/rdb/rdb_test_util.h"

namespace strongbox::rdb {
namespace {

using namespace std::string_literals;

using testing::Canonical;
using testing::Materialize;
using testing::Run;
using testing::Unhex;

std::string Le(uint64_t v, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// A ziplist from entries given as their encoding + data (prevlen is filled in).
std::string Ziplist(std::initializer_list<std::string> entries) {
  std::string body;
  size_t prev = 0;
  for (const std::string& e : entries) {
    std::string entry = std::string(1, static_cast<char>(prev)) + e;
    body += entry;
    prev = entry.size();
  }
  return Le(10 + body.size() + 1, 4) + Le(0, 4) + Le(entries.size(), 2) + body + "\xff";
}

std::string ZlStr(std::string_view s) {
  return std::string(1, static_cast<char>(s.size())) + std::string(s);
}

// Encodes `type` + `body` as a value and decodes it.
absl::StatusOr<Value> Decode(uint8_t type, const std::string& body) {
  Reader r(body);
  return DecodeValue(type, r);
}

std::string Blob(const std::string& blob) {
  std::string out;
  AppendString(blob, &out);
  return out;
}

std::string Expect(std::initializer_list<std::string_view> build) {
  state::State st;
  Run(st, build);
  return Canonical(st, "k");
}

std::string Got(const absl::StatusOr<Value>& v) {
  REQUIRE(v.ok());
  return Canonical(Materialize("k", *v), "k");
}

TEST_CASE("ziplist lists, hashes and sorted sets with every integer width") {
  std::string zl = Ziplist({ZlStr("a"), "\xf6", std::string("\xfe\x9c", 2), "\xc0" + Le(1000, 2),
                            "\xf0" + Le(0x7fffff, 3), "\xd0" + Le(uint32_t(-100000), 4),
                            "\xe0" + Le(uint64_t(1) << 40, 8)});
  CHECK(Got(Decode(kTypeListZiplist, Blob(zl))) ==
        Expect({"RPUSH", "k", "a", "5", "-100", "1000", "8388607", "-100000", "1099511627776"}));
  std::string quicklist_v1;
  AppendLength(2, &quicklist_v1);
  quicklist_v1 += Blob(Ziplist({ZlStr("x")})) + Blob(Ziplist({ZlStr("y"), ZlStr("z")}));
  CHECK(Got(Decode(kTypeListQuicklist, quicklist_v1)) == Expect({"RPUSH", "k", "x", "y", "z"}));
  CHECK(Got(Decode(kTypeHashZiplist, Blob(Ziplist({ZlStr("f"), ZlStr("v")})))) ==
        Expect({"HSET", "k", "f", "v"}));
  CHECK(Got(Decode(kTypeZSetZiplist, Blob(Ziplist({ZlStr("m"), ZlStr("2.5")})))) ==
        Expect({"ZADD", "k", "2.5", "m"}));
}

TEST_CASE("zipmap hashes, text-double sorted sets, plain types") {
  // Two entries; the second value has 2 free bytes after it.
  std::string zipmap =
      "\x02\x01"
      "a\x02\x00"
      "v1\x01"
      "b\x01\x02"
      "xzz\xff"s;
  CHECK(Got(Decode(kTypeHashZipmap, Blob(zipmap))) == Expect({"HSET", "k", "a", "v1", "b", "x"}));
  std::string zset_v1;
  AppendLength(2, &zset_v1);
  AppendString("m", &zset_v1);
  zset_v1 +=
      "\x03"
      "1.5";
  AppendString("n", &zset_v1);
  zset_v1 += "\xfe";  // +inf
  CHECK(Got(Decode(kTypeZSet, zset_v1)) == Expect({"ZADD", "k", "1.5", "m", "inf", "n"}));
  std::string hash;
  AppendLength(1, &hash);
  AppendString("f", &hash);
  AppendString("12", &hash);
  CHECK(Got(Decode(kTypeHash, hash)) == Expect({"HSET", "k", "f", "12"}));
}

TEST_CASE("listpack integers round-trip through the writer") {
  ListpackWriter lp;
  const std::vector<std::string> items = {
      "0",      "127",   "128",     "-1",       "-4096",      "4095",
      "-32768", "32767", "8388607", "-8388608", "2147483647", "-9223372036854775808",
      "01",     "+1",    "x"};
  for (const std::string& s : items) lp.AddString(s);
  auto back = DecodeListpack(lp.Finish());
  REQUIRE(back.ok());
  CHECK(*back == items);
}

TEST_CASE("quicklist v2 with plain nodes") {
  std::string body;
  AppendLength(2, &body);
  AppendLength(1, &body);  // plain node
  AppendString("a big element", &body);
  AppendLength(2, &body);  // packed node
  ListpackWriter lp;
  lp.AddString("b");
  body += Blob(lp.Finish());
  CHECK(Got(Decode(kTypeListQuicklist2, body)) == Expect({"RPUSH", "k", "a big element", "b"}));
}

// Every truncation and every single-byte change of real payloads must decode to a value or an
// error: never a crash (ASan/UBSan run this too) and never a value the effects cannot hold.
TEST_CASE("damaged values are errors, never crashes") {
  const char* bodies[] = {
      "0102c3204060186000000006008161028162020701ded402f2a0860104e04678e03c000148ff",
      "14040000000300000090eefeff0100000002000000",
      "141400000004008266310382763103816e020501ff",
      "20200000000600826d3203dffe02826d310383312e3504826d3303f2a0860104ff",
      "0110000000000000000500000000000000014045450000001900020101010201816102816202000102010001"
      "000101018374776f040501030100010101020185746872656506050100010101dfff02010181630203010601ff"
      "020600050105020300",
  };
  const uint8_t types[] = {kTypeListQuicklist2, kTypeSetIntset, kTypeHashListpack,
                           kTypeZSetListpack, kTypeStreamListpacks2};
  for (size_t c = 0; c < std::size(bodies); ++c) {
    std::string body = Unhex(bodies[c]);
    REQUIRE(Decode(types[c], body).ok());
    for (size_t len = 0; len < body.size(); ++len) {
      auto v = Decode(types[c], body.substr(0, len));
      if (v.ok()) Materialize("k", *v);
    }
    for (size_t i = 0; i < body.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = body;
        bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
        auto v = Decode(types[c], bad);
        if (v.ok()) Materialize("k", *v);
      }
    }
  }
}

TEST_CASE("hand-made damage: huge counts, bad LZF, empty and NaN values") {
  std::string huge_list;
  AppendLength(uint64_t{1} << 40, &huge_list);
  CHECK_FALSE(Decode(kTypeList, huge_list).ok());
  std::string huge_string = "\x81" + std::string(8, '\x7f');
  CHECK_FALSE(Decode(kTypeString, huge_string).ok());
  // LZF claiming a 1 GiB expansion of 3 bytes, and one whose data does not expand as claimed.
  CHECK_FALSE(
      Decode(kTypeString, std::string("\xc3\x03\xb0\x00\x00\x00\x00\x01\x02\x03", 10)).ok());
  CHECK_FALSE(Decode(kTypeString, std::string("\xc3\x03\x10\x00\x61\x62", 6)).ok());
  std::string empty_set;
  AppendLength(0, &empty_set);
  CHECK_FALSE(Decode(kTypeSet, empty_set).ok());
  std::string nan_zset;
  AppendLength(1, &nan_zset);
  AppendString("m", &nan_zset);
  nan_zset += "\xfd";
  CHECK_FALSE(Decode(kTypeZSet, nan_zset).ok());
  CHECK_FALSE(Decode(42, "").ok());
  CHECK_FALSE(DecodeIntset(Le(3, 4) + Le(1, 4) + "abc").ok());
  CHECK_FALSE(DecodeZiplist(Ziplist({ZlStr("a")}).substr(0, 12)).ok());
}

}  // namespace
}  // namespace strongbox::rdb
