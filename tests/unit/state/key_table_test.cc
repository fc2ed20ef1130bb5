// The key table against a std::unordered_set model across many resizes, and SCAN's guarantee
// (a key present for the whole scan is returned) while the table grows and shrinks between
// calls.
#include "common/state/key_table.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/state/state.h"

namespace st = strongbox::state;

namespace {

constexpr uint64_t kCursorLimit = uint64_t{1} << 53;  // exact in a JavaScript number
// Count * 10 buckets, plus the last step's buckets: one small bucket and up to 8 large ones
// (the largest shrink factor).
size_t BucketsMax(size_t count) { return count * 10 + 9; }

std::unordered_set<std::string> Keys(const st::KeyTable& t) {
  std::unordered_set<std::string> keys;
  for (const st::Entry* e : t) REQUIRE(keys.insert(std::string(e->key())).second);
  return keys;
}

void CheckAgainst(const st::KeyTable& t, const std::unordered_set<std::string>& model) {
  REQUIRE(t.size() == model.size());
  REQUIRE(Keys(t) == model);
  for (const std::string& k : model) {
    const st::Entry* e = t.Find(k);
    REQUIRE(e != nullptr);
    REQUIRE(e->key() == k);
  }
}

// Inserts `key` unless present; returns whether it was inserted.
bool Add(st::KeyTable& t, const std::string& key) {
  if (t.FindAndStep(key) != nullptr) return false;
  t.Insert(st::Entry::Create(key));
  return true;
}

bool Remove(st::KeyTable& t, const std::string& key) {
  st::Entry* e = t.Unlink(key);
  if (e == nullptr) return false;
  st::Entry::Destroy(e);
  return true;
}

}  // namespace

TEST_CASE("key table: random inserts, erases and lookups match a model across resizes") {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed);
    st::KeyTable t;
    std::unordered_set<std::string> model;
    size_t ops_while_rehashing = 0, checks_while_rehashing = 0;
    for (int step = 0; step < 60000; ++step) {
      // Phases: fill to ~6000 keys, thin out to a few hundred, empty (grows and shrinks).
      int phase = (step / 5000) % 3;
      int insert_percent = phase == 0 ? 70 : phase == 1 ? 5 : 0;
      std::string key = "k" + std::to_string(rng() % 8000);
      int op = static_cast<int>(rng() % 100);
      ops_while_rehashing += t.rehashing() ? 1 : 0;
      if (op < insert_percent) {
        REQUIRE(Add(t, key) == (model.count(key) == 0));
        model.insert(key);
      } else if (op < 90) {
        REQUIRE(Remove(t, key) == (model.erase(key) == 1));
      } else {
        st::Entry* e = t.FindAndStep(key);
        REQUIRE((e != nullptr) == (model.count(key) == 1));
        if (e != nullptr) REQUIRE(e->key() == key);
      }
      if (rng() % 7 == 0) t.RehashStep(1 + rng() % 3);
      REQUIRE(t.size() == model.size());
      if (step % 1000 == 0 || (t.rehashing() && step % 61 == 0)) {
        checks_while_rehashing += t.rehashing() ? 1 : 0;
        CheckAgainst(t, model);
      }
    }
    CheckAgainst(t, model);
    CHECK(ops_while_rehashing > 1000);
    CHECK(checks_while_rehashing > 10);
  }
}

TEST_CASE("key table: nodes never move and a resize finishes through RehashStep alone") {
  st::KeyTable t;
  std::vector<const st::Entry*> nodes;
  for (int i = 0; i < 5000; ++i) {
    st::Entry* e = st::Entry::Create("n" + std::to_string(i));
    t.Insert(e);
    nodes.push_back(e);
  }
  while (t.RehashStep(1)) {
  }
  for (int i = 0; i < 5000; ++i) REQUIRE(t.Find("n" + std::to_string(i)) == nodes[i]);
  // Buckets grow with the keys: at most 2 buckets per key once a resize is done.
  CHECK(t.bucket_count() <= 2 * 8192);
  for (int i = 0; i < 4990; ++i) REQUIRE(Remove(t, "n" + std::to_string(i)));
  while (t.RehashStep(100)) {
  }
  for (int i = 4990; i < 5000; ++i) REQUIRE(t.Find("n" + std::to_string(i)) == nodes[i]);
  CHECK(t.bucket_count() <= 64);  // shrunk
  st::KeyTable moved(std::move(t));
  CHECK(moved.size() == 10);
  CHECK(t.size() == 0);
  moved.Clear();
  CHECK(moved.empty());
  CHECK(moved.bucket_bytes() == 0);
}

TEST_CASE("key table: a scan of an unchanging table returns every key exactly once") {
  for (size_t n : {0, 1, 3, 100, 4096, 10000}) {
    st::KeyTable t;
    for (size_t i = 0; i < n; ++i) Add(t, "s" + std::to_string(i));
    for (size_t count : {1, 10, 1000}) {
      std::unordered_set<std::string> seen;
      uint64_t cursor = 0;
      do {
        cursor = t.Scan(cursor, count, [&](const st::Entry* e) {
          REQUIRE(seen.insert(std::string(e->key())).second);
        });
        REQUIRE(cursor < kCursorLimit);
      } while (cursor != 0);
      CHECK(seen.size() == n);
    }
  }
}

TEST_CASE("key table: the cost of a scan call is bounded by COUNT") {
  st::KeyTable t;
  for (int i = 0; i < 200000; ++i) Add(t, "d" + std::to_string(i));
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    size_t emitted = 0, visited = 0;
    cursor = t.Scan(
        cursor, 10, [&](const st::Entry*) { ++emitted; }, &visited);
    REQUIRE(visited <= BucketsMax(10));
    // The last bucket's chain may run past COUNT; chains are short at load <= 1.
    REQUIRE(emitted <= 10 + 16);
    ++calls;
  } while (cursor != 0);
  CHECK(calls > 200000 / 30);
  // Sparse: most buckets empty (the table shrinks on erase, but no lower than 1/8 of its size
  // at a time): a call still stops after COUNT * 10 buckets.
  for (int i = 0; i < 199990; ++i) Remove(t, "d" + std::to_string(i));
  size_t visited = 0;
  t.Scan(
      0, 1, [](const st::Entry*) {}, &visited);
  CHECK(visited <= BucketsMax(1));
}

TEST_CASE("key table: SCAN returns every key present for the whole scan while it resizes") {
  size_t calls_while_rehashing = 0, grown = 0, shrunk = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    st::KeyTable t;
    size_t stable = 50 + rng() % 1000;
    for (size_t i = 0; i < stable; ++i) Add(t, "s" + std::to_string(i));
    std::vector<std::string> volatile_keys;
    for (size_t i = 0; i < rng() % 5000; ++i) {
      volatile_keys.push_back("v" + std::to_string(i));
      Add(t, volatile_keys.back());
    }
    size_t next_volatile = volatile_keys.size();
    std::unordered_set<std::string> seen;
    uint64_t cursor = 0;
    size_t calls = 0, quiet_buckets = t.bucket_count();
    bool growing = rng() % 2 == 0;
    do {
      size_t count = 1 + rng() % 8, visited = 0;
      calls_while_rehashing += t.rehashing() ? 1 : 0;
      cursor = t.Scan(
          cursor, count, [&](const st::Entry* e) { seen.insert(std::string(e->key())); }, &visited);
      REQUIRE(cursor < kCursorLimit);
      REQUIRE(visited <= BucketsMax(count));
      // Between calls: bursts of inserts (the table grows) or erases (it shrinks).
      if (rng() % 48 == 0) growing = !growing;
      // Erase bursts are larger so that the volatile keys drain and the table shrinks often.
      for (size_t i = rng() % (growing ? 200 : 400); i > 0; --i) {
        if (growing) {
          volatile_keys.push_back("v" + std::to_string(next_volatile++));
          Add(t, volatile_keys.back());
        } else if (!volatile_keys.empty()) {
          size_t j = rng() % volatile_keys.size();
          Remove(t, volatile_keys[j]);
          volatile_keys[j] = volatile_keys.back();
          volatile_keys.pop_back();
        }
      }
      if (rng() % 4 == 0) t.RehashStep(rng() % 8);
      // Resizes seen between two quiet moments (no resize in progress).
      if (!t.rehashing()) {
        grown += t.bucket_count() > quiet_buckets ? 1 : 0;
        shrunk += t.bucket_count() < quiet_buckets ? 1 : 0;
        quiet_buckets = t.bucket_count();
      }
      REQUIRE(++calls < 1000000);
    } while (cursor != 0);
    for (size_t i = 0; i < stable; ++i) REQUIRE(seen.count("s" + std::to_string(i)) == 1);
  }
  CHECK(calls_while_rehashing > 100);
  INFO("grown " << grown << ", shrunk " << shrunk);
  CHECK(grown > 10);
  CHECK(shrunk > 10);
}

TEST_CASE("key table: random picks come from the table, also during a resize") {
  std::mt19937_64 rng(7);
  st::KeyTable t;
  CHECK(t.RandomEntry(rng) == nullptr);
  std::unordered_set<std::string> picked;
  for (int i = 0; i < 3000; ++i) {
    Add(t, "r" + std::to_string(i));
    const st::Entry* e = t.RandomEntry(rng);
    REQUIRE(e != nullptr);
    REQUIRE(t.Find(e->key()) == e);
    picked.insert(std::string(e->key()));
  }
  CHECK(picked.size() > 1000);  // not stuck on the first buckets
}
