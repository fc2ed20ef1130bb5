// The collections' Dict: lookups, inserts and erases agree with a std::set model while
// resizes are in progress; nodes never move; a scan keeps Redis's guarantee (an element present
// for the whole scan is returned at least once) while the dict grows and shrinks between
// calls, with cursors < 2^53 and at most COUNT * 10 buckets looked at per call.
#include "common/state/dict.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/state/collections.h"

namespace st = strongbox::state;

namespace {

struct Node {
  Node* next = nullptr;
  std::string name;
  std::string_view key() const { return name; }
};
using TestDict = st::Dict<Node, st::KeyHash>;

constexpr uint64_t kJsSafeCursor = uint64_t{1} << 53;

// A dict and the model it must match.
struct Checked {
  TestDict dict;
  std::set<std::string> model;

  void Put(const std::string& k) {
    bool absent = dict.Find(k) == nullptr;
    REQUIRE(absent == (model.count(k) == 0));
    if (absent) dict.InsertNew(new Node{nullptr, k});
    model.insert(k);
  }
  void Drop(const std::string& k) { REQUIRE(dict.Erase(k) == (model.erase(k) == 1)); }
  void Verify() const {
    REQUIRE(dict.size() == model.size());
    std::set<std::string> walked;
    for (const Node* n : dict) REQUIRE(walked.insert(n->name).second);
    REQUIRE(walked == model);
    for (const auto& k : model) REQUIRE(dict.Find(k)->name == k);
  }
};

// Scans from `cursor` with `count`; checks the per-call bounds and collects what comes back.
uint64_t ScanCall(const TestDict& d, uint64_t cursor, size_t count, std::set<std::string>* seen) {
  size_t buckets = 0;
  uint64_t next = d.Scan(
      cursor, count, [&](const Node* n) { seen->insert(n->name); }, &buckets);
  REQUIRE(next < kJsSafeCursor);
  REQUIRE(buckets >= (d.empty() ? 0u : 1u));
  REQUIRE(buckets <= count * 10);
  return next;
}

}  // namespace

TEST_CASE("dict: inserts, erases and lookups agree with a model while resizing") {
  std::mt19937_64 rng(7);
  Checked c;
  int checks_during_resize = 0;
  for (int round = 0; round < 40000; ++round) {
    // Grow to a few thousand names, then drain to almost none, twice.
    bool filling = (round / 10000) % 2 == 0;
    std::string k = "name-" + std::to_string(rng() % 5000);
    if (rng() % 100 < (filling ? 75u : 10u)) {
      c.Put(k);
    } else {
      c.Drop(k);
    }
    if (c.dict.rehashing() && round % 37 == 0) {
      ++checks_during_resize;
      c.Verify();
    }
  }
  c.Verify();
  CHECK(checks_during_resize > 20);
}

TEST_CASE("dict: nodes stay put across a grow and a shrink, and copies are deep") {
  TestDict d;
  std::vector<const Node*> where;
  for (int i = 0; i < 3000; ++i) {
    d.InsertNew(new Node{nullptr, "p" + std::to_string(i)});
    where.push_back(d.Find("p" + std::to_string(i)));
  }
  while (d.RehashStep(5)) {
  }
  CHECK(d.bucket_count() == 4096);  // grows at one node per bucket
  for (int i = 0; i < 3000; ++i) REQUIRE(d.Find("p" + std::to_string(i)) == where[i]);
  TestDict copy(d);
  for (int i = 0; i < 2990; ++i) REQUIRE(d.Erase("p" + std::to_string(i)));
  while (d.RehashStep(5)) {
  }
  CHECK(d.bucket_count() <= 64);
  for (int i = 2990; i < 3000; ++i) REQUIRE(d.Find("p" + std::to_string(i)) == where[i]);
  CHECK(copy.size() == 3000);
  CHECK(copy.Find("p5") != nullptr);
  CHECK(copy.Find("p5") != where[5]);
  d.Clear();
  CHECK(d.empty());
  CHECK(d.bucket_count() == 0);
  CHECK(d.Find("p2995") == nullptr);
}

TEST_CASE("dict: a scan of a dict that does not change returns each element once") {
  for (int n : {0, 1, 2, 77, 1024, 9000}) {
    TestDict d;
    for (int i = 0; i < n; ++i) d.InsertNew(new Node{nullptr, "e" + std::to_string(i)});
    for (size_t count : {1u, 10u, 500u}) {
      std::set<std::string> seen;
      size_t returned = 0;
      uint64_t cursor = 0;
      do {
        size_t before = seen.size();
        cursor = ScanCall(d, cursor, count, &seen);
        returned += seen.size() - before;
      } while (cursor != 0);
      REQUIRE(static_cast<int>(seen.size()) == n);
      REQUIRE(returned == seen.size());
    }
  }
}

TEST_CASE("dict: a call costs O(COUNT) on a big dict and on a sparse one") {
  TestDict d;
  const int big = 100000;
  for (int i = 0; i < big; ++i) d.InsertNew(new Node{nullptr, "b" + std::to_string(i)});
  int calls = 0;
  uint64_t cursor = 0;
  do {
    std::set<std::string> seen;
    cursor = ScanCall(d, cursor, 10, &seen);
    REQUIRE(seen.size() <= 10 + 12);  // a chain may run past COUNT; chains stay short
    ++calls;
  } while (cursor != 0);
  CHECK(calls > big / 25);
  // Nearly empty but not shrunk below 1/8 of its size yet: a call still stops at COUNT * 10.
  for (int i = 5; i < big; ++i) d.Erase("b" + std::to_string(i));
  std::set<std::string> seen;
  ScanCall(d, 0, 1, &seen);
}

TEST_CASE("dict: an element present for the whole scan is returned while it grows or shrinks") {
  int scans_over_resizes = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    Checked c;
    const int stable = 20 + static_cast<int>(rng() % 800);
    for (int i = 0; i < stable; ++i) c.Put("stable" + std::to_string(i));
    int churn_next = 0, churn_low = 0;
    for (int i = static_cast<int>(rng() % 3000); i > 0; --i)
      c.Put("c" + std::to_string(churn_next++));
    std::set<std::string> seen;
    uint64_t cursor = 0;
    bool resized = false, growing = seed % 2 == 0;
    do {
      resized |= c.dict.rehashing();
      cursor = ScanCall(c.dict, cursor, 1 + rng() % 6, &seen);
      // Between calls a burst that grows the dict (inserts) or shrinks it (erases, oldest
      // first): up to a few thousand churn names, then down to none, and again.
      int churn = churn_next - churn_low;
      if (churn > 4000) growing = false;
      if (churn == 0) growing = true;
      bool grow = growing == (rng() % 8 != 0);
      for (int i = static_cast<int>(rng() % 150); i > 0; --i) {
        if (grow) {
          c.Put("c" + std::to_string(churn_next++));
        } else if (churn_low < churn_next) {
          c.Drop("c" + std::to_string(churn_low++));
        }
      }
    } while (cursor != 0);
    for (int i = 0; i < stable; ++i) REQUIRE(seen.count("stable" + std::to_string(i)) == 1);
    scans_over_resizes += resized ? 1 : 0;
    c.Verify();
  }
  CHECK(scans_over_resizes > 30);
}

TEST_CASE("dict: random picks reach every element, also during a resize") {
  TestDict d;
  for (int i = 0; i < 64; ++i) d.InsertNew(new Node{nullptr, "r" + std::to_string(i)});
  d.InsertNew(new Node{nullptr, "r64"});  // past one node per bucket: a grow is under way
  REQUIRE(d.rehashing());
  std::mt19937_64 rng(3);
  std::set<std::string> picked;
  for (int i = 0; i < 20000; ++i) picked.insert(d.RandomNode(rng)->name);
  CHECK(picked.size() == 65);
  TestDict none;
  CHECK(none.RandomNode(rng) == nullptr);
}

TEST_CASE("SetValue: set interface over the dict; iteration resumes from a found member") {
  st::SetValue s;
  for (int i = 0; i < 500; ++i) REQUIRE(s.emplace("m" + std::to_string(i)).second);
  REQUIRE_FALSE(s.emplace("m7").second);
  CHECK(s.size() == 500);
  CHECK(s.erase("m7") == 1);
  CHECK(s.erase("m7") == 0);
  CHECK(s.find("m7") == s.end());
  auto it = s.find("m8");
  REQUIRE(it != s.end());
  CHECK(*it == "m8");
  size_t after = 0;
  for (; it != s.end(); ++it) ++after;
  CHECK(after >= 1);
  CHECK(after <= s.size());
  st::SetValue copy = s;
  CHECK(copy.size() == 499);
  CHECK(copy.contains("m499"));
  CHECK(s.heap_bytes() > 499 * 40);
}
