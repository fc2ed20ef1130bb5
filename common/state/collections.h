// The collection values: lists, hashes, sets and sorted sets. Hashes and sorted sets with few,
// short elements are kept packed in one allocation (PackedStrings) and move to node-based
// containers past Redis's default listpack limits (128 entries, 64-byte elements), which is
// what keeps a key with a small collection smaller than in Redis. Encodings never change a
// reply or a snapshot: only memory and speed.
#pragma once

#include <cstddef>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "common/state/dict.h"
#include "common/state/packed_strings.h"

namespace strongbox::state {

// Transparent hashing on std::string_view (Debian's Abseil has its own string_view type, so
// its default StringHash does not accept std::string_view lookups).
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// Redis's default listpack limits (hash-max-listpack-entries/-value and the zset ones).
inline constexpr size_t kMaxPackedEntries = 128;
inline constexpr size_t kMaxPackedElementBytes = 64;
static_assert(2 * kMaxPackedEntries * (kMaxPackedElementBytes + 2) + 4 <= PackedStrings::kMaxBytes,
              "a full packed hash or sorted set must fit a PackedStrings block");

// A set: a Dict of member nodes, with the part of the standard set interface its callers use.
class SetValue {
 public:
  struct Node {
    Node* next = nullptr;
    std::string member;
    std::string_view key() const { return member; }
  };
  using Members = Dict<Node, KeyHash>;
  // Iterates the members as `const std::string&`.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string*;
    using reference = const std::string&;
    const_iterator() = default;
    const std::string& operator*() const { return (*it_)->member; }
    const std::string* operator->() const { return &(*it_)->member; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++it_;
      return old;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator& o) const { return it_ != o.it_; }

   private:
    friend class SetValue;
    explicit const_iterator(Members::Iterator it) : it_(it) {}
    Members::Iterator it_;
  };
  using iterator = const_iterator;

  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  bool contains(std::string_view m) const { return members_.Find(m) != nullptr; }
  const_iterator find(std::string_view m) const { return const_iterator(members_.IteratorAt(m)); }
  const_iterator begin() const { return const_iterator(members_.begin()); }
  const_iterator end() const { return const_iterator(members_.end()); }
  // Adds a member; .second says whether it is new.
  std::pair<const_iterator, bool> emplace(std::string_view m);
  template <typename It>
  void insert(It first, It last) {
    for (; first != last; ++first) emplace(*first);
  }
  // Removes a member; returns how many were removed (0 or 1).
  size_t erase(std::string_view m) { return members_.Erase(m) ? 1 : 0; }
  void reserve(size_t n) { members_.Reserve(n); }
  const Members& members() const { return members_; }
  size_t heap_bytes() const;  // MEMORY USAGE estimate

 private:
  Members members_;
};

// A list as a vector with free room at the front ("devector"): O(1) amortised pushes and pops
// at both ends, O(1) LINDEX, and one allocation for a short list (a std::deque allocates a
// 512-byte block for one element).
class ListValue {
 public:
  using iterator = std::vector<std::string>::iterator;
  using const_iterator = std::vector<std::string>::const_iterator;

  size_t size() const { return items_.size() - head_; }
  bool empty() const { return size() == 0; }
  std::string& operator[](size_t i) { return items_[head_ + i]; }
  const std::string& operator[](size_t i) const { return items_[head_ + i]; }
  iterator begin() { return items_.begin() + static_cast<ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

  void emplace_back(std::string_view v) { items_.emplace_back(v); }
  void emplace_front(std::string_view v);
  void pop_front();
  void pop_back();
  iterator erase(iterator it) { return erase(it, it + 1); }
  iterator erase(iterator first, iterator last);
  iterator insert(iterator it, std::string v) { return items_.insert(it, std::move(v)); }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  size_t capacity_bytes() const { return items_.capacity() * sizeof(std::string); }

 private:
  std::vector<std::string> items_;  // [0, head_) are empty slots kept for front pushes
  size_t head_ = 0;
};

class HashValue {
 public:
  struct Node {
    Node* next = nullptr;
    std::string field;
    std::string value;
    std::string_view key() const { return field; }
  };
  using Map = Dict<Node, KeyHash>;

  HashValue() = default;
  HashValue(const HashValue& other);
  HashValue(HashValue&&) noexcept = default;
  HashValue& operator=(const HashValue&) = delete;
  HashValue& operator=(HashValue&&) noexcept = default;

  size_t size() const { return big_ ? big_->size() : packed_.count() / 2; }
  bool empty() const { return size() == 0; }
  bool packed() const { return big_ == nullptr; }
  std::optional<std::string_view> Get(std::string_view field) const;
  bool contains(std::string_view field) const { return Get(field).has_value(); }
  // Sets a field; returns true if it is new.
  bool Set(std::string_view field, std::string_view value);
  // Removes a field; returns true if it was there.
  bool Erase(std::string_view field);
  // f(field, value) for every field, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    if (big_) {
      for (const Node* n : *big_) f(std::string_view(n->field), std::string_view(n->value));
      return;
    }
    for (size_t pos = packed_.begin(); pos != packed_.end();) {
      std::string_view k = packed_.At(pos, &pos);
      std::string_view v = packed_.At(pos, &pos);
      f(k, v);
    }
  }
  // One HSCAN call: f(field, value) for the elements of the call; returns the next cursor. A
  // packed hash goes whole in one call with cursor 0 (as Redis does for a listpack); a big one
  // is a Dict scan (bucket cursor < 2^53, O(count) work).
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (!big_) {
      ForEach(f);
      return 0;
    }
    return big_->Scan(cursor, count, [&](const Node* n) { f(n->field, n->value); });
  }
  size_t heap_bytes() const;  // MEMORY USAGE estimate

 private:
  void Unpack();
  PackedStrings packed_;  // field, value, field, value... while big_ is null
  std::unique_ptr<Map> big_;
};

class ZSetValue {
 public:
  ZSetValue() = default;
  ZSetValue(const ZSetValue& other);
  ZSetValue(ZSetValue&&) noexcept = default;
  ZSetValue& operator=(const ZSetValue&) = delete;
  ZSetValue& operator=(ZSetValue&&) noexcept = default;

  size_t size() const { return big_ ? big_->scores.size() : packed_.count() / 2; }
  struct ScoreNode {
    ScoreNode* next = nullptr;
    std::string member;
    double score = 0;
    std::string_view key() const { return member; }
  };
  bool packed() const { return big_ == nullptr; }
  std::optional<double> Score(std::string_view member) const;
  // Inserts or updates; returns true if the member is new.
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
  // 0-based position in (score, member) order: O(log n) for a big sorted set.
  std::optional<size_t> Rank(std::string_view member) const;
  // f(score, member) from rank `first` on (counted from the lowest, or from the highest when
  // descending) until f returns false: O(log n) to the first item for a big sorted set, so
  // ZRANGE of a page deep in a leaderboard costs the page, not the ranks before it.
  template <typename F>
  void WalkFromRank(size_t first, bool descending, F&& f) const {
    if (first >= size()) return;
    if (big_) {
      const auto& t = big_->by_score;
      if (descending) {
        for (auto it = t.find_by_order(size() - 1 - first);; --it) {
          if (!f(it->first, std::string_view(it->second)) || it == t.begin()) return;
        }
      }
      for (auto it = t.find_by_order(first); it != t.end(); ++it) {
        if (!f(it->first, std::string_view(it->second))) return;
      }
      return;
    }
    size_t i = 0;
    Walk(descending, [&](double s, std::string_view m) { return i++ < first ? true : f(s, m); });
  }
  // f(score, member) in (score, member) order, descending if asked, until f returns false.
  template <typename F>
  void Walk(bool descending, F&& f) const {
    if (big_) {
      if (descending) {
        if (big_->by_score.empty()) return;
        for (auto it = std::prev(big_->by_score.end());; --it) {
          if (!f(it->first, std::string_view(it->second)) || it == big_->by_score.begin()) return;
        }
      } else {
        for (const auto& [score, member] : big_->by_score) {
          if (!f(score, std::string_view(member))) return;
        }
      }
      return;
    }
    if (!descending) return WalkPacked(f);
    std::vector<std::pair<double, std::string_view>> items;
    items.reserve(size());
    WalkPacked([&](double s, std::string_view m) {
      items.emplace_back(s, m);
      return true;
    });
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      if (!f(it->first, it->second)) return;
    }
  }
  // Ascending from the first item whose score is >= min_score.
  template <typename F>
  void WalkFrom(double min_score, F&& f) const {
    if (big_) {
      for (auto it = big_->by_score.lower_bound({min_score, std::string()});
           it != big_->by_score.end(); ++it) {
        if (!f(it->first, std::string_view(it->second))) return;
      }
      return;
    }
    WalkPacked([&](double s, std::string_view m) { return s < min_score ? true : f(s, m); });
  }
  // One ZSCAN call: f(member, score) for the elements of the call; returns the next cursor. A
  // packed sorted set goes whole in one call with cursor 0, in (score, member) order (as Redis
  // does for a listpack); a big one is a Dict scan (bucket cursor < 2^53, O(count) work).
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (!big_) {
      WalkPacked([&](double score, std::string_view m) {
        f(m, score);
        return true;
      });
      return 0;
    }
    return big_->scores.Scan(cursor, count, [&](const ScoreNode* n) { f(n->member, n->score); });
  }
  size_t heap_bytes() const;  // MEMORY USAGE estimate

 private:
  struct Big {
    // An order-statistic red-black tree (libstdc++'s policy-based tree with subtree sizes):
    // ranks in O(log n) for ZRANK and ZRANGE by index. Not absl::btree_set: with Debian's
    // Abseil 20220623 and GCC 12 at -O2 it corrupted memory when sorted sets were destroyed.
    using Ordered =
        __gnu_pbds::tree<std::pair<double, std::string>, __gnu_pbds::null_type,
                         std::less<std::pair<double, std::string>>, __gnu_pbds::rb_tree_tag,
                         __gnu_pbds::tree_order_statistics_node_update>;
    Ordered by_score;
    Dict<ScoreNode, KeyHash> scores;
  };
  static double DecodeScore(std::string_view bytes);
  template <typename F>
  void WalkPacked(F&& f) const {
    for (size_t pos = packed_.begin(); pos != packed_.end();) {
      std::string_view m = packed_.At(pos, &pos);
      double score = DecodeScore(packed_.At(pos, &pos));
      if (!f(score, m)) return;
    }
  }
  // Position of the member's entry in packed_, or end().
  size_t FindPacked(std::string_view member, double* score) const;
  void Unpack();
  PackedStrings packed_;  // member, 8 score bytes; sorted by (score, member) while big_ is null
  std::unique_ptr<Big> big_;
};

}  // namespace strongbox::state
