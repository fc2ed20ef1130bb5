// Lazy free: which drops the keyspace hands to its disposer (Redis's free-effort threshold), and
// that the worker destroys everything handed to it, including what is queued at shutdown.
#include "common/state/lazy_free.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/state/apply.h"

namespace st = strongbox::state;

namespace {

absl::Status Op(st::State& s, std::vector<std::string> argv, uint8_t db = 0) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return st::ApplyOp(s, db, views);
}

// Keeps what it is handed, so a test can look at it.
class Recorder final : public st::Disposer {
 public:
  void Dispose(st::EntryPtr entry) override { entries.push_back(std::move(entry)); }
  void Dispose(std::unique_ptr<st::DroppedKeys> keys) override {
    tables.push_back(std::move(keys));
  }
  std::vector<st::EntryPtr> entries;
  std::vector<std::unique_ptr<st::DroppedKeys>> tables;
};

// `op key m0 m1 ...` with `members` members (SADD, RPUSH, ZADD needs scores: see BigZSet).
std::vector<std::string> WithMembers(std::string op, std::string key, size_t members) {
  std::vector<std::string> argv{std::move(op), std::move(key)};
  for (size_t i = 0; i < members; ++i) argv.push_back("m" + std::to_string(i));
  return argv;
}

std::vector<std::string> BigHash(std::string key, size_t fields) {
  std::vector<std::string> argv{"HSET", std::move(key)};
  for (size_t i = 0; i < fields; ++i) {
    argv.push_back("f" + std::to_string(i));
    argv.push_back("v");
  }
  return argv;
}

void AddKeys(st::State& s, size_t count, uint8_t db = 0) {
  for (size_t i = 0; i < count; ++i) {
    REQUIRE(Op(s, {"SET", "k" + std::to_string(i), "v", "PXAT", "99999999999999"}, db).ok());
  }
}

}  // namespace

TEST_CASE("free effort counts elements; packed collections and strings cost one") {
  st::State s;
  REQUIRE(Op(s, WithMembers("SADD", "set", 100)).ok());
  REQUIRE(Op(s, WithMembers("RPUSH", "list", 65)).ok());
  REQUIRE(Op(s, BigHash("packed", 10)).ok());
  REQUIRE(Op(s, BigHash("big", 200)).ok());
  REQUIRE(Op(s, {"SET", "str", std::string(1000, 'x')}).ok());
  CHECK(st::FreeEffort(*s.db(0).FindRaw("set")) == 100);
  CHECK(st::FreeEffort(*s.db(0).FindRaw("list")) == 65);
  CHECK(st::FreeEffort(*s.db(0).FindRaw("packed")) == 1);
  CHECK(st::FreeEffort(*s.db(0).FindRaw("big")) == 200);
  CHECK(st::FreeEffort(*s.db(0).FindRaw("str")) == 1);
}

TEST_CASE("only drops costlier than the threshold go to the disposer") {
  st::State s;
  Recorder r;
  s.set_disposer(&r);
  REQUIRE(Op(s, WithMembers("SADD", "small", st::kLazyFreeEffortMin)).ok());
  REQUIRE(Op(s, WithMembers("SADD", "big", st::kLazyFreeEffortMin + 1)).ok());
  REQUIRE(Op(s, {"DEL", "small", "big"}).ok());
  REQUIRE(r.entries.size() == 1);
  CHECK(r.entries[0]->key() == "big");
  CHECK(r.entries[0]->set()->size() == st::kLazyFreeEffortMin + 1);
  CHECK(s.db(0).size() == 0);

  SECTION("SET over a big hash hands over the hash and keeps the key") {
    REQUIRE(Op(s, BigHash("h", 500)).ok());
    REQUIRE(Op(s, {"PEXPIREAT", "h", "99999999999999"}).ok());
    REQUIRE(Op(s, {"SET", "h", "v", "KEEPTTL"}).ok());
    REQUIRE(r.entries.size() == 2);
    CHECK(r.entries[1]->hash()->size() == 500);
    CHECK(s.db(0).FindRaw("h")->str() == "v");
    CHECK(s.db(0).FindRaw("h")->expire_at_ms() == 99999999999999);
    CHECK(s.db(0).expires() == 1);
  }
  SECTION("RENAME and COPY over a big destination hand it over") {
    REQUIRE(Op(s, WithMembers("RPUSH", "dst", 100)).ok());
    REQUIRE(Op(s, {"SET", "src", "v"}).ok());
    REQUIRE(Op(s, {"RENAME", "src", "dst"}).ok());
    REQUIRE(r.entries.size() == 2);
    CHECK(r.entries[1]->list()->size() == 100);
    REQUIRE(Op(s, WithMembers("RPUSH", "other", 100)).ok());
    REQUIRE(Op(s, {"COPY", "dst", "0", "other"}).ok());
    REQUIRE(r.entries.size() == 3);
    CHECK(s.db(0).FindRaw("other")->str() == "v");
  }
  SECTION("FLUSHDB hands over a big table with its expiry index, frees a small one inline") {
    AddKeys(s, 3, 1);
    REQUIRE(Op(s, {"FLUSHDB"}, 1).ok());
    CHECK(r.tables.empty());
    AddKeys(s, 100);
    REQUIRE(Op(s, {"FLUSHALL"}).ok());
    REQUIRE(r.tables.size() == 1);
    CHECK(r.tables[0]->table.size() == 100);
    CHECK(r.tables[0]->expiry_index.size() == 100);
    CHECK(s.TotalKeys() == 0);
    CHECK(s.db(0).expires() == 0);
    AddKeys(s, 100);  // the emptied database works as before
    CHECK(s.db(0).size() == 100);
    CHECK(s.db(0).FindRaw("k7")->str() == "v");
  }
}

TEST_CASE("the worker frees everything it is handed, and Stop drains the queue") {
  st::State s;
  st::LazyFree lazy;
  s.set_disposer(&lazy);
  constexpr size_t kBigSets = 20;
  for (size_t i = 0; i < kBigSets; ++i) {
    std::string key = "set" + std::to_string(i);
    REQUIRE(Op(s, WithMembers("SADD", key, 1000)).ok());
    REQUIRE(Op(s, {"DEL", key}).ok());
  }
  AddKeys(s, 500);
  REQUIRE(Op(s, {"FLUSHALL"}).ok());
  // Not yet freed or already freed, but never lost: pending + freed covers every object.
  CHECK(lazy.pending_objects() + lazy.freed_objects() == kBigSets + 500);
  lazy.Stop();
  CHECK(lazy.pending_objects() == 0);
  CHECK(lazy.freed_objects() == kBigSets + 500);

  // After Stop, hand-overs are freed inline and not counted as freed by the worker.
  REQUIRE(Op(s, WithMembers("SADD", "late", 1000)).ok());
  REQUIRE(Op(s, {"DEL", "late"}).ok());
  CHECK(lazy.freed_objects() == kBigSets + 500);
  CHECK(lazy.pending_objects() == 0);
  CHECK(s.TotalKeys() == 0);
}

TEST_CASE("destroying the worker frees what is still queued") {
  // Leak checkers (the asan build) report anything the destructor failed to free.
  auto lazy = std::make_unique<st::LazyFree>();
  st::State s;
  s.set_disposer(lazy.get());
  for (int i = 0; i < 10; ++i) {
    REQUIRE(Op(s, WithMembers("RPUSH", "l" + std::to_string(i), 5000)).ok());
  }
  for (int i = 0; i < 10; ++i) REQUIRE(Op(s, {"DEL", "l" + std::to_string(i)}).ok());
  s.set_disposer(nullptr);
  lazy.reset();
  CHECK(s.TotalKeys() == 0);
}
