// Stream consumer groups in the RDB codec: a Redis 7.0 DUMP of a stream with two groups (PEL
// entries, consumers with and without pending entries, an unknown read counter) decodes to the
// state the group effects build; ours decodes back to the same state; damage is an error.
#include <catch2/catch.hpp>
#include <functional>

#include "common/rdb/dump_payload.h"
#include "common/rdb/rdb_writer.h"
#include "common/state/stream_groups.h"
#include "tests/unit/rdb/rdb_test_util.h"

namespace strongbox::rdb {
namespace {

using namespace testing;  // NOLINT: the helpers of rdb_test_util.h

// redis-server 7.0: XADD s 1-1 a 1 b 2, 1-2 a 3 b 4, 2-0 c 5, 3-0 a 6 b 7, 4-0 d 8;
// XGROUP CREATE s g1 0; XGROUP CREATE s g2 1-2; XREADGROUP g1 alice COUNT 2; g1 bob COUNT 1;
// XGROUP CREATECONSUMER s g1 carol; XCLAIM s g1 bob 0 1-1; XREADGROUP g2 dave COUNT 2;
// XACK s g2 2-0; XDEL s 3-0; DUMP s.
const std::string& RedisGroupsPayload() {
  static const std::string payload = Unhex(
      "13011000000000000000010000000000000001c34050405a125a00000026000401010102018161028162020020"
      "090000200140110005600b040101030104200b40090adfff02010181630205010620150002400f02060107601c"
      "0003400c201c02640208201c00ff04040001010300050202673102000303000000000000000100000000000000"
      "017a1f0934a201000002000000000000000100000000000000026f1f0934a20100000100000000000000020000"
      "000000000000731f0934a2010000010305616c6963656f1f0934a2010000010000000000000001000000000000"
      "000203626f627a1f0934a201000002000000000000000100000000000000010000000000000002000000000000"
      "0000056361726f6c761f0934a201000000026732030081ffffffffffffffff0100000000000000030000000000"
      "0000007e1f0934a2010000010104646176657e1f0934a201000001000000000000000300000000000000000a00"
      "6e7badc6dfa0e050");
  return payload;
}

// The same stream built from effects, with the times and counts XINFO STREAM s FULL showed.
state::State ExpectedGroupsState() {
  state::State st;
  Run(st, {"XADD", "s", "1-1", "a", "1", "b", "2"});
  Run(st, {"XADD", "s", "1-2", "a", "3", "b", "4"});
  Run(st, {"XADD", "s", "2-0", "c", "5"});
  Run(st, {"XADD", "s", "4-0", "d", "8"});
  Run(st, {"XSETID", "s", "4-0", "5", "3-0"});
  Run(st, {"XGROUPCREATE", "s", "g1", "2-0", "3"});
  Run(st, {"XCONSUMER", "s", "g1", "alice", "1796169342831"});
  Run(st, {"XCONSUMER", "s", "g1", "bob", "1796169342842"});
  Run(st, {"XCONSUMER", "s", "g1", "carol", "1796169342838"});
  Run(st, {"XPEL", "s", "g1", "alice", "1-2", "1796169342831", "1"});
  Run(st, {"XPEL", "s", "g1", "bob", "1-1", "1796169342842", "2", "2-0", "1796169342835", "1"});
  Run(st, {"XGROUPCREATE", "s", "g2", "3-0", "-1"});
  Run(st, {"XCONSUMER", "s", "g2", "dave", "1796169342846"});
  Run(st, {"XPEL", "s", "g2", "dave", "3-0", "1796169342846", "1"});
  return st;
}

absl::StatusOr<Value> Decode(uint8_t type, std::string_view body) {
  Reader r(body);
  auto v = DecodeValue(type, r);
  if (v.ok() && !r.at_end()) return absl::DataLossError("trailing bytes");
  return v;
}

// The value's bytes between the type byte and the footer (2-byte version, 8-byte CRC).
std::string Body(const std::string& payload) { return payload.substr(1, payload.size() - 11); }

TEST_CASE("a Redis 7.0 stream with consumer groups restores its groups") {
  REQUIRE(DumpPayloadFooterOk(RedisGroupsPayload()));
  auto value = DecodeDumpPayload(RedisGroupsPayload());
  REQUIRE(value.ok());
  const state::StreamGroup* g1 = state::FindGroup(value->stream, "g1");
  const state::StreamGroup* g2 = state::FindGroup(value->stream, "g2");
  REQUIRE(g1 != nullptr);
  REQUIRE(g2 != nullptr);
  CHECK(g1->entries_read == 3);
  CHECK(g2->entries_read == state::kEntriesReadUnknown);
  CHECK(g1->pel.at(state::StreamId{1, 1}) == state::PendingEntry{"bob", 1796169342842, 2});
  CHECK(g1->consumers.at("carol").pending.empty());
  CHECK(Canonical(Materialize("s", *value), "s") == Canonical(ExpectedGroupsState(), "s"));
}

TEST_CASE("our payload of a stream with groups decodes to the same state") {
  state::State st = ExpectedGroupsState();
  std::string payload = MakeDumpPayload(*st.db(0).FindRaw("s"));
  REQUIRE(DumpPayloadFooterOk(payload));
  auto value = DecodeDumpPayload(payload);
  REQUIRE(value.ok());
  CHECK(Canonical(Materialize("s", *value), "s") == Canonical(st, "s"));
}

TEST_CASE("every truncation and bit flip of a stream with groups is rejected or applies") {
  const std::string& payload = RedisGroupsPayload();
  const std::string body = Body(payload);
  REQUIRE(Decode(kTypeStreamListpacks2, body).ok());
  for (size_t len = 0; len < body.size(); ++len) {
    INFO(len);
    CHECK_FALSE(Decode(kTypeStreamListpacks2, body.substr(0, len)).ok());
  }
  for (size_t i = 0; i < payload.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = payload;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      CHECK_FALSE(DumpPayloadFooterOk(bad));
      // The body's checks without the checksum: an accepted value must still apply cleanly.
      auto v = Decode(kTypeStreamListpacks2, Body(bad));
      if (v.ok()) Materialize("k", *v);
    }
  }
}

// A stream with no entries whose last ID is 5-0, as STREAM_LISTPACKS (v1) or _3 writes it,
// followed by one group at 3-0 whose single pending entry 3-0 belongs to `owner`.
std::string HandMadeGroupBody(uint8_t type, std::string_view owner) {
  std::string out;
  for (uint64_t n : {0, 0, 5, 0}) AppendLength(n, &out);  // nodes, length, last ID
  if (type == kTypeStreamListpacks3) {
    for (uint64_t n : {0, 0, 0, 0, 0}) AppendLength(n, &out);  // first, max deleted, added
  }
  AppendLength(1, &out);
  AppendString("g", &out);
  AppendLength(3, &out);
  AppendLength(0, &out);
  if (type == kTypeStreamListpacks3) AppendLength(0, &out);  // entries_read
  const std::string id = Unhex("00000000000000030000000000000000");
  AppendLength(1, &out);
  out += id;
  AppendU64LE(1000, &out);
  AppendLength(4, &out);
  AppendLength(1, &out);
  AppendString(owner, &out);
  AppendU64LE(2000, &out);
  if (type == kTypeStreamListpacks3) AppendU64LE(3000, &out);  // active time (7.2)
  AppendLength(1, &out);
  out += id;
  return out;
}

TEST_CASE("groups of STREAM_LISTPACKS (v1) and _3 decode") {
  for (uint8_t type : {kTypeStreamListpacks, kTypeStreamListpacks3}) {
    INFO(int{type});
    auto v = Decode(type, HandMadeGroupBody(type, "c"));
    REQUIRE(v.ok());
    const state::StreamGroup* g = state::FindGroup(v->stream, "g");
    REQUIRE(g != nullptr);
    CHECK(g->last_delivered_id == state::StreamId{3, 0});
    CHECK(g->pel.at(state::StreamId{3, 0}) == state::PendingEntry{"c", 1000, 4});
    CHECK(g->consumers.at("c").seen_time_ms == 2000);
    state::State st = Materialize("s", *v);
    CHECK(state::FindGroup(*st.db(0).FindRaw("s")->stream(), "g")->pel.size() == 1);
  }
}

// Encodes a stream whose groups were edited into shapes the effects cannot produce.
std::string EncodedWithGroup(const std::function<void(state::StreamGroup&)>& edit,
                             int64_t entries_read = 0) {
  state::State st = ExpectedGroupsState();
  state::StreamValue copy = *st.db(0).FindRaw("s")->stream();
  state::StreamGroup& g = copy.groups.get()->by_name.at("g1");
  g.entries_read = entries_read;
  edit(g);
  std::string out;
  EncodeStream(copy, &out);
  return out;
}

TEST_CASE("inconsistent groups are damage") {
  using state::StreamId;
  auto no_op = [](state::StreamGroup&) {};
  REQUIRE(Decode(kTypeStreamListpacks2, EncodedWithGroup(no_op)).ok());
  // A read counter past the stream's history (5 entries added).
  CHECK_FALSE(Decode(kTypeStreamListpacks2, EncodedWithGroup(no_op, 6)).ok());
  CHECK_FALSE(Decode(kTypeStreamListpacks2, EncodedWithGroup(no_op, -2)).ok());
  // A pending entry nobody owns.
  CHECK_FALSE(Decode(kTypeStreamListpacks2, EncodedWithGroup([](state::StreamGroup& g) {
                       g.consumers.at("bob").pending.erase(StreamId{1, 1});
                     }))
                  .ok());
  // A consumer owning an ID missing from the group's PEL.
  CHECK_FALSE(Decode(kTypeStreamListpacks2, EncodedWithGroup([](state::StreamGroup& g) {
                       g.consumers.at("carol").pending.insert(StreamId{9, 9});
                     }))
                  .ok());
  // Two consumers owning the same entry.
  CHECK_FALSE(Decode(kTypeStreamListpacks2, EncodedWithGroup([](state::StreamGroup& g) {
                       g.consumers.at("carol").pending.insert(StreamId{1, 1});
                     }))
                  .ok());
  // Two groups of the same name.
  std::string twice = EncodedWithGroup(no_op);
  size_t at = twice.find("\x02g2");
  REQUIRE(at != std::string::npos);
  twice[at + 2] = '1';
  CHECK_FALSE(Decode(kTypeStreamListpacks2, twice).ok());
  // A group count the input cannot hold.
  std::string huge;
  for (uint64_t n : {0, 0, 5, 0}) AppendLength(n, &huge);
  AppendLength(uint64_t{1} << 40, &huge);
  CHECK_FALSE(Decode(kTypeStreamListpacks, huge).ok());
}

}  // namespace
}  // namespace strongbox::rdb
