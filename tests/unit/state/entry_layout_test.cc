// The packed key node (state.h): keys of every size class (inline size byte, long-key prefix)
// keep their bytes while the packed fields around them change, the node is as small as its
// comment says, and the key table's hash tags (key_table.h) never hide a key: keys whose tags
// are equal in one bucket, and the "may follow" bit left set after unlinks.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/state/key_table.h"
#include "common/state/state.h"

namespace strongbox::state {
namespace {

std::string KeyOfSize(size_t size) {
  std::string key(size, 'k');
  for (size_t i = 0; i < size; ++i) key[i] = static_cast<char>('a' + (i * 7) % 26);
  return key;
}

TEST_CASE("entry: a key of any size keeps its bytes while the value, clock and expiry change") {
  AccessClock clock;
  clock.lfu = true;
  for (size_t size : {0, 1, 2, 9, 10, 11, 26, 27, 254, 255, 256, 70000}) {
    std::string key = KeyOfSize(size);
    State state;
    Db& db = state.db(0);
    Entry& e = db.Upsert(key);
    REQUIRE(e.key() == key);
    e.SetString(std::string(16, 'v'));  // inline, the largest
    clock.lru_clock_s = kLruClockMax;
    for (int i = 0; i < 50; ++i) e.Touch(clock);
    CHECK(e.idle_seconds(clock) == 0);
    CHECK(e.lfu_counter(clock) > kLfuInitialCounter);
    CHECK(e.str() == std::string(16, 'v'));
    e.AppendString("w");  // moves to the heap
    CHECK(e.str() == std::string(16, 'v') + "w");
    db.SetExpiry(key, e, INT64_MAX);
    CHECK(e.expire_at_ms() == INT64_MAX);
    CHECK(!e.expired(INT64_MAX - 1));
    e.MakeZSet();
    CHECK(e.type() == ValueType::kZSet);
    e.MakeStream();
    CHECK(e.type() == ValueType::kStream);
    e.SetString("");
    CHECK(e.str() == "");
    CHECK(e.key() == key);
    CHECK(db.Find(key, 0) == &e);
    size_t prefix = size >= 255 ? 4 : 0;
    CHECK(e.node_bytes() == std::max<size_t>(40, 38 + prefix + size));
  }
}

TEST_CASE("entry: a 10-byte key makes a node of jemalloc's 48-byte class") {
  State state;
  CHECK(state.db(0).Upsert("key:123456").node_bytes() == 48);
  CHECK(state.db(0).Upsert("key:1234567").node_bytes() > 48);
}

// Keys that land in bucket 0 of the first (4-bucket) array, grouped by their hash tag.
std::vector<std::string> KeysInBucketZero(bool same_tag, size_t count) {
  std::vector<std::string> keys;
  uint64_t tag = 0;
  for (uint64_t i = 0; keys.size() < count; ++i) {
    std::string key = "t" + std::to_string(i);
    uint64_t hash = KeyHash{}(key);
    if ((hash & 3) != 0) continue;
    if (keys.empty()) tag = hash >> 49;
    if (((hash >> 49) == tag) == same_tag || keys.empty()) keys.push_back(key);
  }
  return keys;
}

TEST_CASE("key table: keys with equal tags in one chain are told apart by their bytes") {
  std::vector<std::string> keys = KeysInBucketZero(true, 3);
  KeyTable t;
  for (const std::string& k : keys) t.Insert(Entry::Create(k));
  REQUIRE(t.bucket_count() == 4);  // one chain of three
  for (const std::string& k : keys) REQUIRE(t.Find(k) != nullptr);
  for (const std::string& k : keys) CHECK(t.Find(k)->key() == k);
  Entry::Destroy(t.Unlink(keys[1]));
  CHECK(t.Find(keys[1]) == nullptr);
  CHECK(t.Find(keys[0])->key() == keys[0]);
  CHECK(t.Find(keys[2])->key() == keys[2]);
}

TEST_CASE("key table: unlinking from any place of a chain keeps the rest reachable") {
  for (size_t victim = 0; victim < 3; ++victim) {
    std::vector<std::string> keys = KeysInBucketZero(false, 3);
    KeyTable t;
    for (const std::string& k : keys) t.Insert(Entry::Create(k));
    REQUIRE(t.bucket_count() == 4);
    Entry::Destroy(t.Unlink(keys[victim]));
    for (size_t i = 0; i < 3; ++i) CHECK((t.Find(keys[i]) != nullptr) == (i != victim));
    // The chain is now two: drop one more, then look up the last one and the absent ones.
    size_t second = (victim + 1) % 3;
    Entry::Destroy(t.Unlink(keys[second]));
    size_t last = 3 - victim - second;
    CHECK(t.Find(keys[last])->key() == keys[last]);
    CHECK(t.Find(keys[victim]) == nullptr);
    CHECK(t.Find(keys[second]) == nullptr);
    t.Insert(Entry::Create(keys[victim]));
    CHECK(t.Find(keys[victim])->key() == keys[victim]);
    CHECK(t.Find(keys[last])->key() == keys[last]);
  }
}

}  // namespace
}  // namespace strongbox::state
