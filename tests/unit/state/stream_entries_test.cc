// StreamEntries against a std::map model: thousands of random appends, XDELs, exact and
// whole-node trims, with every read (iteration both ways, bounds, find, positions) compared;
// plus the node rules (entry and byte limits, dropped and compacted nodes).
#include "common/state/stream_entries.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace st = strongbox::state;

namespace {

using Model = std::map<st::StreamId, std::vector<std::string>>;

void Append(st::StreamEntries& e, Model& m, st::StreamId id, std::vector<std::string> fields) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  e.Append(id, views);
  m[id] = std::move(fields);
}

std::vector<std::string> Strings(const st::FieldsView& f) {
  return std::vector<std::string>(f.begin(), f.end());
}

// Every read of `e` agrees with `m`.
void CheckSame(const st::StreamEntries& e, const Model& m) {
  REQUIRE(e.size() == m.size());
  REQUIRE(e.empty() == m.empty());
  auto mi = m.begin();
  for (auto it = e.begin(); it != e.end(); ++it, ++mi) {
    REQUIRE(mi != m.end());
    REQUIRE(it->first == mi->first);
    REQUIRE(Strings(it->second) == mi->second);
    REQUIRE(it->second.size() == mi->second.size());
    for (size_t i = 0; i < mi->second.size(); ++i) REQUIRE(it->second[i] == mi->second[i]);
  }
  REQUIRE(mi == m.end());
  auto rmi = m.rbegin();
  for (auto it = e.rbegin(); it != e.rend(); ++it, ++rmi) {
    REQUIRE(rmi != m.rend());
    REQUIRE(it->first == rmi->first);
    REQUIRE(it->second == rmi->second);
  }
  REQUIRE(rmi == m.rend());
}

// Bounds, find and positions for `id` agree with the model.
void CheckLookups(const st::StreamEntries& e, const Model& m, st::StreamId id) {
  auto lo = e.lower_bound(id);
  auto mlo = m.lower_bound(id);
  REQUIRE((lo == e.end()) == (mlo == m.end()));
  if (mlo != m.end()) REQUIRE(lo->first == mlo->first);
  auto hi = e.upper_bound(id);
  auto mhi = m.upper_bound(id);
  REQUIRE((hi == e.end()) == (mhi == m.end()));
  if (mhi != m.end()) REQUIRE(hi->first == mhi->first);
  REQUIRE(e.count(id) == m.count(id));
  auto below = static_cast<size_t>(std::distance(m.begin(), mlo));
  REQUIRE(e.CountBelow(id) == below);
  if (below < m.size()) REQUIRE(e.IdAt(below) == mlo->first);
  if (lo != e.begin() && mlo != m.begin()) REQUIRE(std::prev(lo)->first == std::prev(mlo)->first);
}

size_t EraseThrough(Model& m, st::StreamId bound) {
  auto end = m.upper_bound(bound);
  auto n = static_cast<size_t>(std::distance(m.begin(), end));
  m.erase(m.begin(), end);
  return n;
}

}  // namespace

TEST_CASE("stream entries match a map model over random operations") {
  std::mt19937_64 rng(GENERATE(1, 2, 3, 4));
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  st::StreamEntries e;
  Model m;
  st::StreamId last{1, 0};
  auto random_id = [&] { return st::StreamId{pick(last.ms + 2), pick(last.seq + 3)}; };
  for (int op = 0; op < 6000; ++op) {
    uint64_t kind = pick(100);
    if (kind < 60) {
      last = pick(3) == 0 ? st::StreamId{last.ms + 1 + pick(1000), pick(4)}
                          : st::StreamId{last.ms, last.seq + 1 + pick(3)};
      std::vector<std::string> fields;
      if (pick(4) == 0) {  // different names, sometimes large values, sometimes empty strings
        for (uint64_t f = pick(3) + 1; f > 0; --f) {
          fields.push_back("g" + std::to_string(pick(3)));
          fields.push_back(std::string(pick(8) == 0 ? 300 + pick(2000) : pick(4), 'x'));
        }
      } else {
        fields = {"field", "value-" + std::to_string(op)};
      }
      Append(e, m, last, fields);
    } else if (kind < 85) {
      st::StreamId id = random_id();
      if (!m.empty() && pick(2) == 0) id = std::next(m.begin(), pick(m.size()))->first;
      REQUIRE(e.Erase(id) == (m.erase(id) == 1));
    } else if (kind < 92) {
      st::StreamId bound =
          m.empty() || pick(2) == 0 ? random_id() : std::next(m.begin(), pick(m.size()))->first;
      REQUIRE(e.EraseThrough(bound) == EraseThrough(m, bound));
    } else {
      // A `~` MAXLEN trim: whole nodes only, as long as `keep` entries stay.
      size_t keep = pick(m.size() + 1), size = e.size();
      st::StreamId bound;
      size_t n = e.WholeHeadNodes(
          [&](size_t before, size_t live, st::StreamId) { return size - before - live >= keep; },
          &bound);
      REQUIRE(n <= size - std::min(size, keep));
      if (n > 0) {
        REQUIRE(EraseThrough(m, bound) == n);
        REQUIRE(e.EraseThrough(bound) == n);
      }
    }
    if (op % 50 == 0) CheckSame(e, m);
    CheckLookups(e, m, random_id());
    if (!m.empty()) CheckLookups(e, m, std::next(m.begin(), pick(m.size()))->first);
  }
  CheckSame(e, m);
}

TEST_CASE("nodes hold at most 100 entries or about 4 KiB") {
  st::StreamEntries e;
  Model m;
  for (uint64_t i = 1; i <= 250; ++i) Append(e, m, {i, 0}, {"f", "v"});
  CHECK(e.node_count() == 3);
  for (uint64_t i = 251; i <= 260; ++i) Append(e, m, {i, 0}, {"f", std::string(1000, 'v')});
  // The third node takes 3 of them before reaching 4 KiB, then 4 fit per node: 3 + 4 + 3.
  CHECK(e.node_count() == 5);
  CheckSame(e, m);
  // A `~` trim of everything but 120 drops the first node only (the second would leave 60).
  size_t size = e.size();
  st::StreamId bound;
  size_t n = e.WholeHeadNodes(
      [&](size_t before, size_t live, st::StreamId) { return size - before - live >= 120; },
      &bound);
  CHECK(n == 100);
  CHECK(bound == st::StreamId{100, 0});
}

TEST_CASE("deleted entries are skipped, and dropped or compacted with their node") {
  st::StreamEntries e;
  Model m;
  for (uint64_t i = 1; i <= 300; ++i) Append(e, m, {i, 0}, {"f", "value-" + std::to_string(i)});
  REQUIRE(e.node_count() == 3);
  // Emptying the middle node drops it; iteration steps over the gap both ways.
  for (uint64_t i = 101; i <= 200; ++i) REQUIRE(e.Erase({i, 0}));
  for (uint64_t i = 101; i <= 200; ++i) m.erase({i, 0});
  CHECK(e.node_count() == 2);
  CHECK_FALSE(e.Erase({150, 0}));
  CheckSame(e, m);
  CHECK(e.lower_bound({150, 0})->first == st::StreamId{201, 0});
  CHECK(std::prev(e.lower_bound({150, 0}))->first == st::StreamId{100, 0});
  // Deleting most of the first node rewrites it smaller.
  size_t before = e.heap_bytes();
  for (uint64_t i = 1; i <= 90; ++i) REQUIRE(e.Erase({i, 0}));
  for (uint64_t i = 1; i <= 90; ++i) m.erase({i, 0});
  CHECK(e.heap_bytes() < before);
  CheckSame(e, m);
  // Exact trims flag inside the head node; the rest of it stays readable.
  CHECK(e.EraseThrough({95, 0}) == 5);
  EraseThrough(m, {95, 0});
  CheckSame(e, m);
  CHECK(e.begin()->first == st::StreamId{96, 0});
  CHECK(e.EraseThrough({1000, 0}) == 105);
  CHECK(e.empty());
  CHECK(e.node_count() == 0);
  CHECK(e.begin() == e.end());
}

TEST_CASE("entries keep the map-like surface callers use") {
  st::StreamEntries e;
  Model m;
  Append(e, m, {5, 1}, {"a", "1", "b", "2"});
  Append(e, m, {5, 2}, {"a", "3", "b", "4"});  // shares the master's names
  Append(e, m, {9, 0}, {"b", "5"});            // its own names
  Append(e, m, {9, 1}, {});                    // no fields at all (only a snapshot can hold it)
  const auto [id, fields] = *e.rbegin();       // a copy: the reverse iterator is a temporary
  CHECK(id == st::StreamId{9, 1});
  CHECK(fields.empty());
  std::vector<std::string> seen;
  for (auto it = std::make_reverse_iterator(e.upper_bound({9, 0}));
       it != std::make_reverse_iterator(e.begin()); ++it) {
    for (std::string_view f : it->second) seen.emplace_back(f);
  }
  CHECK(seen == std::vector<std::string>{"b", "5", "a", "3", "b", "4", "a", "1", "b", "2"});
  CHECK(e.find({5, 2})->second[3] == "4");
  CHECK(e.find({5, 3}) == e.end());
  CheckSame(e, m);
  st::StreamEntries copy = e;
  CheckSame(copy, m);
}

TEST_CASE("an append below flagged tail entries (XSETID after XDEL) keeps the order") {
  st::StreamEntries e;
  Model m;
  Append(e, m, {1, 0}, {"a", "1"});
  Append(e, m, {5, 0}, {"a", "2"});
  Append(e, m, {6, 0}, {"a", "3"});
  REQUIRE(e.Erase({5, 0}));
  REQUIRE(e.Erase({6, 0}));
  m.erase({5, 0});
  m.erase({6, 0});
  Append(e, m, {3, 0}, {"a", "4"});
  Append(e, m, {5, 0}, {"a", "5"});
  CheckSame(e, m);
  for (st::StreamId id : {st::StreamId{2, 0}, st::StreamId{4, 0}, st::StreamId{5, 0}}) {
    CheckLookups(e, m, id);
  }
  CHECK(e.EraseThrough({3, 0}) == 2);
  CHECK(e.begin()->first == st::StreamId{5, 0});
}
