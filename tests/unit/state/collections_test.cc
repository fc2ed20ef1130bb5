// The compact representations against plain reference containers: random operations (fixed
// seeds) that cross the packed -> node-based thresholds, checked element by element after
// every step. Also the entry node itself: inline and heap strings, APPEND growth, SETRANGE
// padding, and moving/copying values between entries.
#include "common/state/collections.h"

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/state/packed_strings.h"
#include "common/state/state.h"

namespace st = strongbox::state;

namespace {

std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = static_cast<char>('a' + rng() % 6);  // few letters: many collisions
  return s;
}

std::map<std::string, std::string> Contents(const st::HashValue& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) {
    CHECK(out.emplace(std::string(f), std::string(v)).second);  // no duplicate fields
  });
  return out;
}

std::vector<std::pair<double, std::string>> Contents(const st::ZSetValue& z, bool rev = false) {
  std::vector<std::pair<double, std::string>> out;
  z.Walk(rev, [&](double s, std::string_view m) {
    out.emplace_back(s, std::string(m));
    return true;
  });
  return out;
}

}  // namespace

TEST_CASE("PackedStrings: insert, erase, replace at any position, including aliasing values") {
  st::PackedStrings p;
  std::vector<std::string> model;
  std::mt19937_64 rng(7);
  auto check = [&] {
    REQUIRE(p.count() == model.size());
    size_t i = 0;
    for (size_t pos = p.begin(); pos != p.end(); ++i) REQUIRE(p.At(pos, &pos) == model[i]);
    REQUIRE(i == model.size());
  };
  auto pos_of = [&](size_t index) {
    size_t pos = p.begin();
    for (size_t i = 0; i < index; ++i) p.At(pos, &pos);
    return pos;
  };
  for (int step = 0; step < 3000; ++step) {
    int op = static_cast<int>(rng() % 4);
    size_t index = model.empty() ? 0 : rng() % (model.size() + 1);
    if (op <= 1 || model.empty()) {
      // Lengths around the varint boundary (127/128) too.
      std::string s = RandomString(rng, rng() % 8 == 0 ? 300 : 10);
      std::string_view items[] = {s};
      p.Insert(pos_of(index), items);
      model.insert(model.begin() + static_cast<long>(index), s);
    } else if (op == 2) {
      index = rng() % model.size();
      p.Erase(pos_of(index), 1);
      model.erase(model.begin() + static_cast<long>(index));
    } else {
      index = rng() % model.size();
      size_t other = rng() % model.size();
      size_t next;
      std::string_view alias = p.At(pos_of(other), &next);  // a value inside the block itself
      std::string copy(alias);
      p.Replace(pos_of(index), alias);
      model[index] = copy;
    }
    check();
  }
  st::PackedStrings copy(p);
  REQUIRE(copy.count() == p.count());
  p.Clear();
  CHECK(p.count() == 0);
  CHECK(p.begin() == p.end());
}

TEST_CASE("HashValue matches a std::map across the packed -> hashtable switch") {
  for (uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    st::HashValue h;
    std::map<std::string, std::string> model;
    bool saw_packed = false;
    for (int step = 0; step < 4000; ++step) {
      std::string field = RandomString(rng, seed == 3 ? 4 : 3);
      if (rng() % 3 != 0) {
        // Mostly small values; now and then one over the 64-byte packed limit.
        std::string value = RandomString(rng, rng() % 200 == 0 ? 100 : 12);
        REQUIRE(h.Set(field, value) == !model.contains(field));
        model[field] = value;
      } else {
        REQUIRE(h.Erase(field) == (model.erase(field) == 1));
      }
      saw_packed |= h.packed() && h.size() > 10;
      REQUIRE(h.size() == model.size());
      auto got = h.Get(field);
      REQUIRE(got.has_value() == model.contains(field));
      if (got) REQUIRE(*got == model[field]);
      if (step % 97 == 0) REQUIRE(Contents(h) == model);
    }
    REQUIRE(Contents(h) == model);
    REQUIRE(saw_packed);
    st::HashValue copy(h);
    REQUIRE(Contents(copy) == model);
  }
  st::HashValue many;
  for (int i = 0; i < 128; ++i) {
    // Appended, not `"f" + std::to_string(i)`: GCC 12 at -O3 raises a false -Wrestrict on
    // operator+(const char*, std::string&&) (GCC bug 105329).
    std::string field = "f";
    field += std::to_string(i);
    many.Set(field, "v");
  }
  CHECK(many.packed());
  many.Set("f128", "v");
  CHECK_FALSE(many.packed());
  CHECK(many.size() == 129);
}

TEST_CASE("ZSetValue keeps (score, member) order and ranks across the packed -> skiplist switch") {
  for (uint64_t seed : {11, 12}) {
    std::mt19937_64 rng(seed);
    st::ZSetValue z;
    std::map<std::string, double> scores;
    for (int step = 0; step < 4000; ++step) {
      std::string member = RandomString(rng, seed == 12 ? 4 : 3);
      if (rng() % 3 != 0) {
        double score = static_cast<double>(rng() % 7) - 3;  // many ties: member order matters
        if (rng() % 50 == 0) score = rng() % 2 ? HUGE_VAL : -HUGE_VAL;
        REQUIRE(z.Set(member, score) == !scores.contains(member));
        scores[member] = score;
      } else {
        REQUIRE(z.Remove(member) == (scores.erase(member) == 1));
      }
      REQUIRE(z.size() == scores.size());
      if (step % 53 == 0 || step == 3999) {
        std::set<std::pair<double, std::string>> ordered;
        for (const auto& [m, s] : scores) ordered.emplace(s, m);
        std::vector<std::pair<double, std::string>> want(ordered.begin(), ordered.end());
        REQUIRE(Contents(z) == want);
        std::vector<std::pair<double, std::string>> rev(want.rbegin(), want.rend());
        REQUIRE(Contents(z, true) == rev);
        for (size_t i = 0; i < want.size(); ++i) {
          REQUIRE(z.Rank(want[i].second) == i);
          REQUIRE(z.Score(want[i].second) == want[i].first);
        }
        std::vector<std::pair<double, std::string>> from;
        z.WalkFrom(0.0, [&](double s, std::string_view m) {
          from.emplace_back(s, std::string(m));
          return true;
        });
        std::vector<std::pair<double, std::string>> want_from;
        for (const auto& it : want) {
          if (it.first >= 0) want_from.push_back(it);
        }
        REQUIRE(from == want_from);
        // From any rank, both directions, a few items (ZRANGE by index).
        for (size_t first : {size_t{0}, want.size() / 3, want.size() / 2, want.size() - 1,
                             want.size(), want.size() + 5}) {
          for (bool desc : {false, true}) {
            std::vector<std::pair<double, std::string>> got;
            z.WalkFromRank(first, desc, [&](double s, std::string_view m) {
              got.emplace_back(s, std::string(m));
              return got.size() < 4;
            });
            const auto& order = desc ? rev : want;
            std::vector<std::pair<double, std::string>> expect;
            for (size_t i = first; i < order.size() && expect.size() < 4; ++i) {
              expect.push_back(order[i]);
            }
            REQUIRE(got == expect);
          }
        }
      }
    }
  }
  st::ZSetValue z;
  z.Set(std::string(65, 'm'), 1);  // a member over the packed limit
  CHECK_FALSE(z.packed());
}

TEST_CASE("ListValue behaves as a deque at both ends and in the middle") {
  std::mt19937_64 rng(5);
  st::ListValue l;
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    int op = static_cast<int>(rng() % 10);
    std::string v = std::to_string(step);
    if (op < 3) {
      l.emplace_front(v);
      model.emplace_front(v);
    } else if (op < 6) {
      l.emplace_back(v);
      model.emplace_back(v);
    } else if (op < 8 && !model.empty()) {
      l.pop_front();
      model.pop_front();
    } else if (op < 9 && !model.empty()) {
      l.pop_back();
      model.pop_back();
    } else if (!model.empty()) {
      size_t at = rng() % model.size();
      if (rng() % 2) {
        l.insert(l.begin() + static_cast<long>(at), v);
        model.insert(model.begin() + static_cast<long>(at), v);
      } else {
        l.erase(l.begin() + static_cast<long>(at));
        model.erase(model.begin() + static_cast<long>(at));
      }
    }
    REQUIRE(l.size() == model.size());
    if (!model.empty()) {
      REQUIRE(l[0] == model.front());
      REQUIRE(l[l.size() - 1] == model.back());
    }
  }
  REQUIRE(std::equal(l.begin(), l.end(), model.begin(), model.end()));
}

TEST_CASE("A queue (push back, pop front) keeps its memory bounded") {
  st::ListValue l;
  for (int i = 0; i < 200000; ++i) {
    l.emplace_back("job");
    if (i >= 10) l.pop_front();
  }
  CHECK(l.size() == 10);
  CHECK(l.capacity_bytes() < 1000 * sizeof(std::string));
}

TEST_CASE("Entry: inline and heap strings, APPEND growth, SETRANGE padding") {
  st::Db db;
  st::Entry& e = db.Upsert("k");
  CHECK(e.key() == "k");
  CHECK(*e.str() == "");
  e.SetString("0123456789abcdef");  // 16 bytes: inline
  CHECK(*e.str() == "0123456789abcdef");
  CHECK(e.value_heap_bytes() == 0);
  e.AppendString("g");  // 17: moves to the heap
  CHECK(*e.str() == "0123456789abcdefg");
  std::string model(*e.str());
  for (int i = 0; i < 1000; ++i) {
    e.AppendString("xy");
    model += "xy";
  }
  CHECK(*e.str() == model);
  CHECK(e.value_heap_bytes() < 2 * model.size() + 64);  // geometric, not unbounded
  e.WriteString(model.size() + 3, "end");
  model += std::string(3, '\0') + "end";
  CHECK(*e.str() == model);
  e.SetString(e.str()->substr(1, 5));  // a value aliasing the entry's own bytes
  CHECK(*e.str() == "12345");
  e.WriteString(2, "ZZ");
  CHECK(*e.str() == "12ZZ5");
  e.SetString(e.str()->substr(1));  // inline aliasing too
  CHECK(*e.str() == "2ZZ5");
  std::string long_key(300, 'k');
  st::Entry& big = db.Upsert(long_key);
  CHECK(big.key() == long_key);
  CHECK(db.FindRaw(long_key) == &big);
}

TEST_CASE("Entry: values move (RENAME) and copy (COPY) between nodes of every type") {
  st::Db db;
  st::Entry& h = db.Upsert("h");
  h.MakeHash()->Set("f", "v");
  st::Entry& z = db.Upsert("z");
  z.MakeZSet()->Set("m", 2.5);
  st::Entry& l = db.Upsert("l");
  l.MakeList()->emplace_back("x");
  st::Entry& s = db.Upsert("s");
  s.MakeSet()->emplace("member");
  st::Entry& str = db.Upsert("str");
  str.SetString(std::string(100, 'q'));
  for (const char* key : {"h", "z", "l", "s", "str"}) {
    st::Entry& src = *db.FindRaw(key);
    st::Entry& copy = db.Upsert(std::string(key) + "-copy");
    copy.CopyValueFrom(src);
    st::Entry& moved = db.Upsert(std::string(key) + "-moved");
    moved.MoveValueFrom(src);
    CHECK(src.type() == st::ValueType::kString);  // the source gave its value away
    CHECK(copy.type() == moved.type());
  }
  CHECK(*db.FindRaw("h-moved")->hash()->Get("f") == "v");
  CHECK(*db.FindRaw("h-copy")->hash()->Get("f") == "v");
  CHECK(db.FindRaw("z-moved")->zset()->Score("m") == 2.5);
  CHECK((*db.FindRaw("l-copy")->list())[0] == "x");
  CHECK(db.FindRaw("s-moved")->set()->contains("member"));
  CHECK(*db.FindRaw("str-copy")->str() == std::string(100, 'q'));
  CHECK(*db.FindRaw("str-moved")->str() == std::string(100, 'q'));
  // Replacing a collection with a string frees the collection (ASan checks the rest).
  db.FindRaw("h-moved")->SetString("x");
  CHECK(db.Erase("z-moved"));
  CHECK_FALSE(db.Erase("z-moved"));
}
