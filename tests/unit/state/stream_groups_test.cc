// Consumer groups in the state: the group effects (what replay does), Redis 7.0's entries-read
// and lag rules, deep copies, and snapshots — groups round-trip, damage is refused, and
// snapshots written before groups existed (versions 1 and 2) still load.
#include "common/state/stream_groups.h"

#include <xxhash.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/record_codec.h"
#include "common/format/zstd_frame.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

namespace st = strongbox::state;
using st::StreamId;

namespace {

absl::Status Op(st::State& s, std::vector<std::string> argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return st::ApplyOp(s, 0, views);
}

st::StreamValue& Stream(st::State& s, std::string_view key) {
  return *s.db(0).FindRaw(key)->stream();
}

// Stream "s" with entries 1-0..5-0, group "g" at 0-0, consumers "a" and "b".
void Prepare(st::State& s) {
  for (int i = 1; i <= 5; ++i) {
    REQUIRE(Op(s, {"XADD", "s", std::to_string(i) + "-0", "f", "v"}).ok());
  }
  REQUIRE(Op(s, {"XGROUPCREATE", "s", "g", "0-0", "0"}).ok());
  REQUIRE(Op(s, {"XCONSUMER", "s", "g", "a", "100"}).ok());
  REQUIRE(Op(s, {"XCONSUMER", "s", "g", "b", "200"}).ok());
}

}  // namespace

TEST_CASE("group effects build the PEL, move entries between consumers and acknowledge them") {
  st::State s;
  Prepare(s);
  REQUIRE(Op(s, {"XPEL", "s", "g", "a", "1-0", "1000", "1", "2-0", "1000", "1"}).ok());
  REQUIRE(Op(s, {"XGROUPSETID", "s", "g", "2-0", "2"}).ok());
  const st::StreamGroup& g = *st::FindGroup(Stream(s, "s"), "g");
  CHECK(g.last_delivered_id == StreamId{2, 0});
  CHECK(g.entries_read == 2);
  CHECK(g.consumers.at("a").pending.size() == 2);
  // A claim moves the entry with its new figures.
  REQUIRE(Op(s, {"XPEL", "s", "g", "b", "2-0", "5000", "7"}).ok());
  CHECK(g.pel.at({2, 0}) == st::PendingEntry{"b", 5000, 7});
  CHECK(g.consumers.at("a").pending == std::set<StreamId>{{1, 0}});
  CHECK(g.consumers.at("b").pending == std::set<StreamId>{{2, 0}});
  REQUIRE(Op(s, {"XACK", "s", "g", "2-0", "9-0"}).ok());
  CHECK(g.pel.size() == 1);
  CHECK(g.consumers.at("b").pending.empty());
  REQUIRE(Op(s, {"XDELCONSUMER", "s", "g", "a"}).ok());
  CHECK(g.pel.empty());
  CHECK(g.consumers.size() == 1);
  REQUIRE(Op(s, {"XCONSUMER", "s", "g", "b", "300"}).ok());
  CHECK(g.consumers.at("b").seen_time_ms == 300);
  REQUIRE(Op(s, {"XGROUPDESTROY", "s", "g"}).ok());
  CHECK(st::GroupCount(Stream(s, "s")) == 0);
}

TEST_CASE("group effects that do not apply are damage") {
  st::State s;
  Prepare(s);
  CHECK_FALSE(Op(s, {"XGROUPCREATE", "s", "g", "0-0", "0"}).ok());         // exists
  CHECK_FALSE(Op(s, {"XGROUPSETID", "s", "nog", "0-0", "0"}).ok());        // no group
  CHECK_FALSE(Op(s, {"XGROUPSETID", "s", "g", "0-0", "-2"}).ok());         // entries-read
  CHECK_FALSE(Op(s, {"XPEL", "s", "g", "nobody", "1-0", "1", "1"}).ok());  // no consumer
  CHECK_FALSE(Op(s, {"XPEL", "s", "g", "a", "1-0", "1"}).ok());            // triples
  CHECK_FALSE(Op(s, {"XACK", "missing", "g", "1-0"}).ok());
  CHECK_FALSE(Op(s, {"XACK", "s", "g", "1"}).ok());  // the log holds exact IDs
  REQUIRE(Op(s, {"SET", "str", "v"}).ok());
  CHECK_FALSE(Op(s, {"XGROUPCREATE", "str", "g", "0-0", "0"}).ok());
  // MKSTREAM: the effect creates an empty stream.
  REQUIRE(Op(s, {"XGROUPCREATE", "new", "g", "0-0", "-1"}).ok());
  CHECK(Stream(s, "new").size() == 0);
  CHECK(st::FindGroup(Stream(s, "new"), "g")->entries_read == st::kEntriesReadUnknown);
}

TEST_CASE("entries-read and lag follow Redis 7.0") {
  st::State s;
  Prepare(s);
  st::StreamValue& v = Stream(s, "s");
  st::StreamGroup g;
  CHECK(st::EstimateEntriesRead(v, {5, 0}) == 5);  // the last ID
  CHECK(st::EstimateEntriesRead(v, {1, 0}) == 1);  // the first ID
  CHECK(st::EstimateEntriesRead(v, {0, 0}) == 0);  // before the first
  CHECK(st::EstimateEntriesRead(v, {3, 0}) == st::kEntriesReadUnknown);
  CHECK(st::EstimateEntriesRead(v, {6, 0}) == st::kEntriesReadUnknown);
  g.last_delivered_id = {3, 0};
  CHECK_FALSE(st::GroupLag(v, g).has_value());
  g.entries_read = 3;
  CHECK(st::GroupLag(v, g) == 2);
  CHECK(st::EntriesReadAfterDelivering(v, g.entries_read, {4, 0}) == 4);
  REQUIRE(Op(s, {"XDEL", "s", "4-0"}).ok());  // a tombstone ahead of the group
  CHECK_FALSE(st::GroupLag(v, g).has_value());
  CHECK(st::HasTombstonesFrom(v, {3, 0}));
  CHECK_FALSE(st::HasTombstonesFrom(v, {5, 0}));
  // As Redis: only a tombstone at or after the delivered ID stops the counter from counting on.
  CHECK(st::EntriesReadAfterDelivering(v, g.entries_read, {5, 0}) == 4);
  g.entries_read = st::kEntriesReadUnknown;
  CHECK(st::EntriesReadAfterDelivering(v, g.entries_read, {5, 0}) ==
        5);  // the last ID: estimated exactly
  st::StreamValue empty;
  CHECK(st::GroupLag(empty, g) == 0);
}

TEST_CASE("a copied stream owns its groups") {
  st::State s;
  Prepare(s);
  REQUIRE(Op(s, {"XPEL", "s", "g", "a", "1-0", "1000", "1"}).ok());
  REQUIRE(Op(s, {"COPY", "s", "0", "t"}).ok());
  REQUIRE(Op(s, {"XACK", "t", "g", "1-0"}).ok());
  CHECK(st::FindGroup(Stream(s, "s"), "g")->pel.size() == 1);
  CHECK(st::FindGroup(Stream(s, "t"), "g")->pel.empty());
}

TEST_CASE("snapshots carry groups, consumers and pending entries exactly") {
  st::State s;
  Prepare(s);
  REQUIRE(Op(s, {"XPEL", "s", "g", "a", "1-0", "1000", "3", "4-0", "2000", "1"}).ok());
  REQUIRE(Op(s, {"XGROUPSETID", "s", "g", "4-0", "-1"}).ok());
  REQUIRE(Op(s, {"XGROUPCREATE", "s", "h", "5-0", "5"}).ok());
  REQUIRE(Op(s, {"XADD", "plain", "1-0", "f", "v"}).ok());
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  strongbox::format::DatasetId id{1, 2};
  auto written = st::WriteSnapshot(fs, "/d", id, 9, 1, s, {});
  REQUIRE(written.ok());
  st::State loaded;
  REQUIRE(st::LoadSnapshot(fs, written->path, id, &loaded).ok());
  CHECK(st::StateDigest(loaded) == st::StateDigest(s));
  CHECK(*Stream(loaded, "s").groups.get() == *Stream(s, "s").groups.get());
  CHECK(Stream(loaded, "plain").groups.get() == nullptr);

  // A pending entry naming an unknown consumer is damage.
  std::string bytes;
  st::EncodeEntry(0, "s", *s.db(0).FindRaw("s"), &bytes);
  size_t at = bytes.rfind("a");  // the last owner name written: the PEL's
  bytes[at] = 'z';
  st::State damaged;
  CHECK_FALSE(st::DecodeEntryInto(damaged, bytes).ok());
}

TEST_CASE("snapshots written before groups (versions 1 and 2) still load") {
  st::State s;
  REQUIRE(Op(s, {"XADD", "s", "1-0", "f", "v"}).ok());
  REQUIRE(Op(s, {"XADD", "s", "2-5", "g", "w"}).ok());
  // A stream without groups encodes as in versions 1 and 2.
  std::string entry;
  st::EncodeEntry(0, "s", *s.db(0).FindRaw("s"), &entry);
  strongbox::format::DatasetId id{7};
  for (uint32_t version : {1u, 2u}) {
    namespace fmt = strongbox::format;
    std::string content("SBXSNP01");
    fmt::PutU32(&content, version);
    content.append(reinterpret_cast<const char*>(id.data()), id.size());
    fmt::PutU64(&content, 42);  // LSN
    fmt::PutU64(&content, 1);   // written at
    fmt::PutU64(&content, 1);   // entries
    fmt::PutU32(&content, static_cast<uint32_t>(entry.size()));
    content.append(entry);
    if (version == 2) {
      content.append("SBXLIB01");
      fmt::PutU32(&content, 0);
    }
    content.append("SBXEND01");
    fmt::PutU64(&content, 1);
    fmt::PutU64(&content, XXH3_64bits(entry.data(), entry.size()));
    strongbox::io::FaultFileSystem fs;
    REQUIRE(fs.CreateDir("/d").ok());
    std::string path = "/d/old.snap.zst";
    {
      auto f = fs.Open(path, strongbox::io::FileSystem::OpenMode::kCreateOrTruncate);
      REQUIRE(f.ok());
      fmt::ZstdFrameWriter w(**f, 3, 0);
      REQUIRE(w.Write(content, true).ok());
    }
    st::State loaded;
    auto info = st::LoadSnapshot(fs, path, id, &loaded);
    INFO(version << " " << info.status().ToString());
    REQUIRE(info.ok());
    CHECK(st::StateDigest(loaded) == st::StateDigest(s));
    CHECK(Stream(loaded, "s").last_id == StreamId{2, 5});
    CHECK(Stream(loaded, "s").groups.get() == nullptr);
  }
}
