// The keyspace: 16 databases of key -> value with optional absolute expiry. The engine and
// the snapshotter hold one each and change it only through ApplyOp (apply.h), which is what
// makes replay produce the same state as the engine had.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"

namespace strongbox::state {

inline constexpr int kDatabaseCount = 16;

enum class ValueType : uint8_t { kString = 0, kHash = 1, kList = 2, kSet = 3, kZSet = 4 };
std::string_view TypeName(ValueType type);

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

using HashValue = absl::flat_hash_map<std::string, std::string, KeyHash, KeyEq>;
using ListValue = std::deque<std::string>;
using SetValue = absl::flat_hash_set<std::string, KeyHash, KeyEq>;

// Sorted set: members ordered by (score, member) for ranges, plus member -> score. Rank
// queries walk the ordered set (no order statistics yet).
struct ZSetValue {
  // std::set, not absl::btree_set: with Debian's Abseil 20220623 and GCC 12 at -O2 the btree
  // version corrupted memory when sorted sets were destroyed (reproduced, see the commit).
  std::set<std::pair<double, std::string>> by_score;
  absl::flat_hash_map<std::string, double, KeyHash, KeyEq> scores;
  size_t size() const { return scores.size(); }
  // Inserts or updates; returns true if the member is new.
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
};

struct Entry {
  using Value = std::variant<std::string, std::unique_ptr<HashValue>, std::unique_ptr<ListValue>,
                             std::unique_ptr<SetValue>, std::unique_ptr<ZSetValue>>;
  // Strings inline (short ones fit the small-string buffer); hashes behind a pointer so an
  // entry stays small.
  Value value;
  int64_t expire_at_ms = 0;  // 0 = no expiry

  ValueType type() const { return static_cast<ValueType>(value.index()); }
  std::string* str() { return std::get_if<std::string>(&value); }
  const std::string* str() const { return std::get_if<std::string>(&value); }
  HashValue* hash() {
    auto* p = std::get_if<std::unique_ptr<HashValue>>(&value);
    return p ? p->get() : nullptr;
  }
  const HashValue* hash() const {
    auto* p = std::get_if<std::unique_ptr<HashValue>>(&value);
    return p ? p->get() : nullptr;
  }
  ListValue* list() {
    auto* p = std::get_if<std::unique_ptr<ListValue>>(&value);
    return p ? p->get() : nullptr;
  }
  const ListValue* list() const {
    auto* p = std::get_if<std::unique_ptr<ListValue>>(&value);
    return p ? p->get() : nullptr;
  }
  SetValue* set() {
    auto* p = std::get_if<std::unique_ptr<SetValue>>(&value);
    return p ? p->get() : nullptr;
  }
  const SetValue* set() const {
    auto* p = std::get_if<std::unique_ptr<SetValue>>(&value);
    return p ? p->get() : nullptr;
  }
  ZSetValue* zset() {
    auto* p = std::get_if<std::unique_ptr<ZSetValue>>(&value);
    return p ? p->get() : nullptr;
  }
  const ZSetValue* zset() const {
    auto* p = std::get_if<std::unique_ptr<ZSetValue>>(&value);
    return p ? p->get() : nullptr;
  }
  bool expired(int64_t now_ms) const { return expire_at_ms != 0 && expire_at_ms <= now_ms; }
};

class Db {
 public:
  using Map = absl::flat_hash_map<std::string, Entry, KeyHash, KeyEq>;

  // Live entry or nullptr: an entry whose expiry has passed reads as absent (it stays in the
  // map until a DEL effect removes it, so replay sees the same map).
  Entry* Find(std::string_view key, int64_t now_ms);
  const Entry* Find(std::string_view key, int64_t now_ms) const;
  // Entry regardless of expiry (apply and the expiry cycle use this).
  Entry* FindRaw(std::string_view key);
  Entry& Upsert(std::string_view key);
  bool Erase(std::string_view key);
  void Clear() {
    map_.clear();
    expiry_index_.clear();
  }

  size_t size() const { return map_.size(); }
  size_t expires() const { return expiry_index_.size(); }
  // The only way to change an entry's expiry: keeps the expiry index right.
  void SetExpiry(std::string_view key, Entry& e, int64_t expire_at_ms);
  // Keys with an expiry, soonest first: active expiry takes exactly the keys that are due
  // instead of sampling.
  const std::set<std::pair<int64_t, std::string>>& expiry_index() const { return expiry_index_; }
  const Map& map() const { return map_; }
  Map& map() { return map_; }

 private:
  Map map_;
  // std::set rather than absl::btree_set: see ZSetValue::by_score.
  std::set<std::pair<int64_t, std::string>> expiry_index_;
};

class State {
 public:
  Db& db(int index) { return dbs_[static_cast<size_t>(index)]; }
  const Db& db(int index) const { return dbs_[static_cast<size_t>(index)]; }
  size_t TotalKeys() const;

 private:
  std::array<Db, kDatabaseCount> dbs_;
};

}  // namespace strongbox::state
