// Loading a snapshot with worker threads gives the state a one-thread load gives (same digest,
// expiries, databases, libraries), rejects damage with the same error, and handles the edges:
// no keys at all, a value larger than a chunk, tables sized for what they hold.
#include <xxhash.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/record_codec.h"
#include "common/format/zstd_frame.h"
#include "common/io/fault_file_system.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "common/state/stream_groups.h"

namespace st = strongbox::state;
namespace fmt = strongbox::format;

namespace {

const fmt::DatasetId kId{5, 1};

void Op(st::State& s, std::vector<std::string> argv, uint8_t db = 0) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  REQUIRE(st::ApplyOp(s, db, views).ok());
}

// Every value type, small and large encodings, TTLs, several databases, a stream with groups,
// a function library, and enough plain keys to fill many chunks.
st::State Sample() {
  st::State s;
  for (int i = 0; i < 40000; ++i) {
    std::string k = "key:" + std::to_string(i);
    if (i % 7 == 0) {
      Op(s, {"SET", k, std::string(64, 'v'), "PXAT", std::to_string(4102444800000 + i)});
    } else {
      Op(s, {"SET", k, std::string(40, 'w') + std::to_string(i)}, static_cast<uint8_t>(i % 3));
    }
  }
  Op(s, {"HSET", "h", "f1", "1", "f2", std::string("\0bin", 4)}, 4);
  Op(s, {"RPUSH", "l", "x", "y", "z"}, 5);
  Op(s, {"SADD", "set", "m1", "m2"}, 6);
  Op(s, {"ZADD", "z", "2", "b", "1", "a"}, 15);
  for (int i = 0; i < 300; ++i) {  // past the packed encodings
    Op(s, {"HSET", "bigh", "f" + std::to_string(i), std::to_string(i)});
    Op(s, {"ZADD", "bigz", std::to_string(i), "m" + std::to_string(i)});
    Op(s, {"SADD", "bigs", "m" + std::to_string(i)});
  }
  for (int i = 1; i <= 5; ++i) Op(s, {"XADD", "s", std::to_string(i) + "-0", "f", "v"}, 7);
  Op(s, {"XGROUPCREATE", "s", "g", "0-0", "0"}, 7);
  Op(s, {"XCONSUMER", "s", "g", "a", "100"}, 7);
  Op(s, {"XPEL", "s", "g", "a", "1-0", "1000", "3"}, 7);
  Op(s, {"FUNCTIONSET", "lib", "#!lua name=lib\ncode"});
  return s;
}

absl::StatusOr<st::SnapshotInfo> Load(strongbox::io::FileSystem& fs, const std::string& path,
                                      int threads, st::State* into) {
  return st::LoadSnapshot(fs, path, kId, into, st::LoadOptions{.decode_threads = threads});
}

// Writes `content` (the raw snapshot bytes) as a snapshot file.
std::string PutRaw(strongbox::io::FileSystem& fs, const std::string& content) {
  std::string path = "/d/raw.snap.zst";
  auto f = fs.Open(path, strongbox::io::FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  fmt::ZstdFrameWriter w(**f, 3, 0);
  REQUIRE(w.Write(content, true).ok());
  return path;
}

// A version 3 snapshot of `entries` as they are (damaged or not), with a matching trailer.
std::string RawSnapshot(const std::vector<std::string>& entries) {
  std::string content("SBXSNP01");
  fmt::PutU32(&content, st::kSnapshotFormatVersion);
  content.append(reinterpret_cast<const char*>(kId.data()), kId.size());
  fmt::PutU64(&content, 42);  // LSN
  fmt::PutU64(&content, 1);   // written at
  fmt::PutU64(&content, entries.size());
  uint64_t digest = 0;
  for (const std::string& e : entries) {
    fmt::PutU32(&content, static_cast<uint32_t>(e.size()));
    content.append(e);
    digest += XXH3_64bits(e.data(), e.size());
  }
  content.append("SBXLIB01");
  fmt::PutU32(&content, 0);
  content.append("SBXEND01");
  fmt::PutU64(&content, entries.size());
  fmt::PutU64(&content, digest);
  return content;
}

std::vector<std::string> PlainEntries(int n) {
  st::State s;
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string(i);
    Op(s, {"SET", k, std::string(100, 'x')});
    out.emplace_back();
    st::EncodeEntry(0, k, *s.db(0).FindRaw(k), &out.back());
  }
  return out;
}

// The status of loading `path` with one thread and with four: they must be the same.
absl::Status SameError(strongbox::io::FileSystem& fs, const std::string& path) {
  st::State serial, parallel;
  auto one = Load(fs, path, 1, &serial);
  auto four = Load(fs, path, 4, &parallel);
  CHECK(one.status() == four.status());
  return four.status();
}

}  // namespace

TEST_CASE("a parallel load builds the state a serial load builds") {
  st::State s = Sample();
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto written = st::WriteSnapshot(fs, "/d", kId, 99, 1, s, {});
  REQUIRE(written.ok());
  REQUIRE(written->raw_bytes > 4 * (256 << 10));  // many chunks
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    st::State loaded;
    auto info = Load(fs, written->path, threads, &loaded);
    REQUIRE(info.ok());
    CHECK(info->digest == written->digest);
    CHECK(st::StateDigest(loaded) == st::StateDigest(s));
    CHECK(loaded.libraries() == s.libraries());
    for (int db = 0; db < st::kDatabaseCount; ++db) {
      CHECK(loaded.db(db).size() == s.db(db).size());
      CHECK(loaded.db(db).expiry_index() == s.db(db).expiry_index());
      // Sized for what it holds: a table reserved for the whole file was fitted afterwards.
      CHECK(loaded.db(db).table().bucket_count() <= s.db(db).table().bucket_count());
    }
    CHECK(*loaded.db(7).FindRaw("s")->stream()->groups.get() ==
          *s.db(7).FindRaw("s")->stream()->groups.get());
  }
}

TEST_CASE("a snapshot of no keys loads with any thread count") {
  st::State empty;
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto written = st::WriteSnapshot(fs, "/d", kId, 1, 1, empty, {});
  REQUIRE(written.ok());
  st::State loaded;
  auto info = Load(fs, written->path, 4, &loaded);
  REQUIRE(info.ok());
  CHECK(info->entry_count == 0);
  CHECK(loaded.TotalKeys() == 0);
  CHECK(st::StateDigest(loaded) == 0);
}

TEST_CASE("a value larger than a chunk loads whole") {
  st::State s;
  Op(s, {"SET", "before", "1"});
  Op(s, {"SET", "huge", std::string(3 << 20, 'h')});
  Op(s, {"RPUSH", "hugelist", std::string(1 << 20, 'a'), std::string(1 << 20, 'b')}, 2);
  Op(s, {"SET", "after", "2"});
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto written = st::WriteSnapshot(fs, "/d", kId, 3, 1, s, {});
  REQUIRE(written.ok());
  st::State loaded;
  REQUIRE(Load(fs, written->path, 4, &loaded).ok());
  CHECK(st::StateDigest(loaded) == st::StateDigest(s));
  CHECK(loaded.db(0).FindRaw("huge")->str()->size() == (3u << 20));
}

TEST_CASE("damage in the middle is rejected with the error a serial load gives") {
  strongbox::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  std::vector<std::string> entries = PlainEntries(12000);  // ~1.4 MB: several chunks

  SECTION("compressed bytes rotted") {
    st::State s = Sample();
    auto written = st::WriteSnapshot(fs, "/d", kId, 99, 1, s, {});
    REQUIRE(written.ok());
    auto f = fs.Open(written->path, strongbox::io::FileSystem::OpenMode::kReadWrite);
    REQUIRE(f.ok());
    REQUIRE((*f)->WriteAt(written->file_bytes / 2, "\xff\xff\xff\xff\xff\xff\xff\xff").ok());
    CHECK(absl::IsDataLoss(SameError(fs, written->path)));
  }
  SECTION("a malformed entry") {
    entries[6000][1] = 9;  // no such type
    absl::Status s = SameError(fs, PutRaw(fs, RawSnapshot(entries)));
    CHECK(absl::IsDataLoss(s));
    CHECK(s.message().find("malformed snapshot entry") != std::string::npos);
  }
  SECTION("a duplicate key, also when its value is malformed") {
    entries[9000] = entries[10];
    CHECK(SameError(fs, PutRaw(fs, RawSnapshot(entries))).message().find("duplicate key") !=
          std::string::npos);
    entries[9000][1] = 9;
    CHECK(SameError(fs, PutRaw(fs, RawSnapshot(entries))).message().find("duplicate key") !=
          std::string::npos);
  }
  SECTION("an entry error comes before a framing error after it") {
    entries[3000][1] = 9;
    std::string content = RawSnapshot(entries);
    content.resize(content.size() / 2);  // the count promises entries that never come
    absl::Status s = SameError(fs, PutRaw(fs, content));
    CHECK(s.message().find("malformed snapshot entry") != std::string::npos);
  }
  SECTION("a damaged entry just before the content ends") {
    entries[5000][1] = 9;
    std::string content = RawSnapshot(entries);
    size_t end_of_damaged = 52;  // the header
    for (size_t i = 0; i <= 5000; ++i) end_of_damaged += 4 + entries[i].size();
    content.resize(end_of_damaged + 2);  // the next entry's length is cut
    absl::Status s = SameError(fs, PutRaw(fs, content));
    CHECK(s.message().find("malformed snapshot entry") != std::string::npos);
  }
  SECTION("truncated content") {
    std::string content = RawSnapshot(entries);
    content.resize(content.size() * 2 / 3);
    CHECK(SameError(fs, PutRaw(fs, content)).message().find("truncated content") !=
          std::string::npos);
  }
  SECTION("a wrong digest") {
    std::string content = RawSnapshot(entries);
    content.back() ^= 1;
    CHECK(SameError(fs, PutRaw(fs, content)).message().find("digest mismatch") !=
          std::string::npos);
  }
}
