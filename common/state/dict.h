// A chained hash table for the big collections (hash fields, set members, sorted-set scores)
// with Redis dict's properties. Nodes never move: the chain link lives in the node, so a Node*
// stays valid until its key is erased. Growth and shrinking are incremental: during a resize
// two bucket arrays coexist and every insert and erase moves one bucket (visiting at most ten
// empty ones), so no command pays for a whole resize of a 500k-element collection. Scan walks
// bucket indexes in reverse-binary order (scan_order.h): an element present for a whole scan is
// returned at least once whatever resizes happen between calls, a cursor is a bucket index
// (< 2^53) and a call costs O(COUNT).
//
// Node: a type with a public `Node* next` (the dict's chain; null when unlinked) and
// `std::string_view key() const`; nodes are allocated with `new` and the dict deletes them.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>
#include <utility>

#include "common/state/scan_order.h"
#include "common/util/check.h"

namespace strongbox::state {

template <typename Node, typename Hash>
class Dict {
 public:
  Dict() = default;
  ~Dict() { Clear(); }
  Dict(const Dict& other) { CopyFrom(other); }
  Dict& operator=(const Dict& other) {
    Dict copy(other);
    Swap(copy);
    return *this;
  }
  Dict(Dict&& other) noexcept { Swap(other); }
  Dict& operator=(Dict&& other) noexcept {
    Dict old(std::move(other));
    Swap(old);
    return *this;
  }

  size_t size() const { return tables_[0].used + tables_[1].used; }
  bool empty() const { return size() == 0; }
  // Buckets of both arrays: what the table costs beyond its nodes is bucket_count() pointers.
  size_t bucket_count() const { return tables_[0].count() + tables_[1].count(); }
  bool rehashing() const { return rehash_index_ != kNotRehashing; }

  // Pure lookup: never moves a bucket, so it is safe during an iteration or a scan.
  Node* Find(std::string_view key) const {
    Position at = Locate(key);
    return at.link == nullptr ? nullptr : *at.link;
  }
  // Links a node whose key is not in the dict yet; the dict owns it from now on.
  void InsertNew(Node* node);
  // Unlinks the node with `key` and hands it to the caller (nullptr if absent).
  Node* Unlink(std::string_view key);
  bool Erase(std::string_view key) {
    Node* node = Unlink(key);
    delete node;
    return node != nullptr;
  }
  // Deletes every node and frees the buckets.
  void Clear();
  // On an empty dict, sizes the buckets for `nodes` nodes (so that loading a snapshot does not
  // resize at all); otherwise does nothing.
  void Reserve(size_t nodes);
  // Moves up to `buckets` buckets of a resize in progress (giving up after 10 empty ones per
  // bucket asked); returns whether a resize is still in progress.
  bool RehashStep(size_t buckets);

  // One scan call, as KeyTable::Scan: cursor steps until `count` nodes went to
  // `emit(const Node*)` or the next step would take the buckets looked at past count * 10.
  // Returns the next cursor (0 when done); adds the buckets looked at to *buckets_visited.
  template <typename Emit>
  uint64_t Scan(uint64_t cursor, size_t count, Emit emit, size_t* buckets_visited = nullptr) const;

  // A uniformly chosen non-empty bucket's random node (Redis's dictGetRandomKey); `random()`
  // returns 64 random bits. nullptr if the dict is empty.
  template <typename Random>
  const Node* RandomNode(Random&& random) const;

  // Forward iteration over every node, bucket by bucket through both arrays (a "slot" numbers
  // the buckets of tables_[0], then those of tables_[1]). The dict must not change meanwhile.
  class Iterator {
   public:
    const Node* operator*() const { return node_; }
    Iterator& operator++() {
      const size_t next_slot = slot_ + 1;
      node_ = node_->next != nullptr ? node_->next : dict_->FirstFrom(next_slot, &slot_);
      return *this;
    }
    bool operator==(const Iterator& o) const { return node_ == o.node_; }
    bool operator!=(const Iterator& o) const { return node_ != o.node_; }

   private:
    friend class Dict;
    const Dict* dict_ = nullptr;
    size_t slot_ = 0;
    const Node* node_ = nullptr;
  };
  Iterator begin() const {
    size_t slot = 0;
    const Node* first = FirstFrom(0, &slot);
    return MakeIterator(slot, first);
  }
  Iterator end() const { return Iterator(); }
  // The iterator at `key`'s node (end() if absent): iteration goes on from there.
  Iterator IteratorAt(std::string_view key) const;

 private:
  struct Table {
    Node** buckets = nullptr;  // calloc'ed; a bucket is the head of a chain
    uint64_t mask = 0;         // bucket count - 1
    size_t used = 0;
    size_t count() const { return buckets == nullptr ? 0 : mask + 1; }
  };
  // Where a key's node hangs: the link that points at it, in which array and bucket.
  struct Position {
    Node** link = nullptr;
    int which = 0;
    size_t bucket = 0;
  };
  static constexpr size_t kNotRehashing = SIZE_MAX;
  static constexpr size_t kInitialBuckets = 4;
  // Redis's limits, as in the key table: grow at one node per bucket, shrink below one per
  // eight, by a factor of 8 at most (bounds a scan step during the shrink to 1 + 8 buckets).
  static constexpr size_t kShrinkFillDivisor = 8;
  static constexpr size_t kShrinkFactorMax = 8;
  static constexpr size_t kEmptyVisitsPerStep = 10;
  static constexpr size_t kBucketsMax = size_t{1} << 53;  // cursors stay exact in a double

  static uint64_t HashOf(std::string_view key) { return Hash{}(key); }
  // The chain at a slot (see Iterator); slot < bucket_count().
  Node* Head(size_t slot) const {
    size_t first = tables_[0].count();
    return slot < first ? tables_[0].buckets[slot] : tables_[1].buckets[slot - first];
  }
  // The first node at or after `slot` (nullptr past the last); *found_slot gets its slot.
  const Node* FirstFrom(size_t slot, size_t* found_slot) const {
    for (; slot < bucket_count(); ++slot) {
      if (Node* n = Head(slot)) {
        if (found_slot != nullptr) *found_slot = slot;
        return n;
      }
    }
    return nullptr;
  }
  Iterator MakeIterator(size_t slot, const Node* node) const {
    Iterator it;
    it.dict_ = this;
    it.slot_ = slot;
    it.node_ = node;
    return it;
  }
  static Table Allocate(size_t count);
  // Links a node at the head of its chain in `t`.
  static void PushFront(Table& t, Node* node) {
    Node*& head = t.buckets[HashOf(node->key()) & t.mask];
    node->next = head;
    head = node;
    ++t.used;
  }
  void Swap(Dict& other) noexcept {
    std::swap(tables_[0], other.tables_[0]);
    std::swap(tables_[1], other.tables_[1]);
    std::swap(rehash_index_, other.rehash_index_);
  }
  void CopyFrom(const Dict& other);
  Position Locate(std::string_view key) const;
  void GrowIfNeeded();
  void ShrinkIfNeeded();
  void MoveBucket(size_t index);
  void FinishResizeIfDone();
  // Buckets one ScanStep looks at at most: during a resize, the small bucket and its large
  // counterparts.
  size_t StepBuckets() const;
  template <typename Emit>
  uint64_t ScanStep(uint64_t cursor, Emit& emit, size_t* visited) const;

  // tables_[0] is the live array; during a resize nodes move bucket by bucket into
  // tables_[1], and buckets of tables_[0] below rehash_index_ are already empty.
  Table tables_[2];
  size_t rehash_index_ = kNotRehashing;
};

// ---- Lookup and change ---------------------------------------------------------------------

template <typename Node, typename Hash>
typename Dict<Node, Hash>::Position Dict<Node, Hash>::Locate(std::string_view key) const {
  Position at;
  if (size() == 0) return at;
  uint64_t hash = HashOf(key);
  int arrays = rehashing() ? 2 : 1;
  for (int which = 0; which < arrays; ++which) {
    const Table& t = tables_[which];
    size_t bucket = hash & t.mask;
    if (which == 0 && rehashing() && bucket < rehash_index_) continue;  // moved already
    for (Node** link = &t.buckets[bucket]; *link != nullptr; link = &(*link)->next) {
      if ((*link)->key() == key) return {link, which, bucket};
    }
  }
  return at;
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::InsertNew(Node* node) {
  RehashStep(1);
  GrowIfNeeded();
  // During a resize new nodes go to the new array, so the old one only drains.
  PushFront(tables_[rehashing() ? 1 : 0], node);
}

template <typename Node, typename Hash>
Node* Dict<Node, Hash>::Unlink(std::string_view key) {
  RehashStep(1);
  Position at = Locate(key);
  if (at.link == nullptr) return nullptr;
  Node* node = *at.link;
  *at.link = node->next;
  node->next = nullptr;
  --tables_[at.which].used;
  ShrinkIfNeeded();
  return node;
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::Clear() {
  for (Table& t : tables_) {
    for (size_t i = 0; i < t.count(); ++i) {
      for (Node* n = t.buckets[i]; n != nullptr;) {
        Node* next = n->next;
        delete n;
        n = next;
      }
    }
    std::free(t.buckets);
    t = Table();
  }
  rehash_index_ = kNotRehashing;
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::Reserve(size_t nodes) {
  if (!empty() || rehashing()) return;
  size_t count = std::bit_ceil(nodes < kInitialBuckets ? kInitialBuckets : nodes);
  if (count > kBucketsMax) return;
  std::free(tables_[0].buckets);
  tables_[0] = Allocate(count);
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::CopyFrom(const Dict& other) {
  Reserve(other.size());
  for (const Node* n : other) InsertNew(new Node(*n));  // InsertNew overwrites the copied link
}

// ---- Incremental resize --------------------------------------------------------------------

template <typename Node, typename Hash>
typename Dict<Node, Hash>::Table Dict<Node, Hash>::Allocate(size_t count) {
  SB_CHECK(std::has_single_bit(count) && count <= kBucketsMax, "dict bucket count %zu", count);
  // calloc: a large array comes as zero pages from mmap, touched as the rehash fills them.
  auto* buckets = static_cast<Node**>(std::calloc(count, sizeof(Node*)));
  if (buckets == nullptr) throw std::bad_alloc();
  Table t;
  t.buckets = buckets;
  t.mask = count - 1;
  return t;
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::GrowIfNeeded() {
  if (rehashing()) return;
  Table& live = tables_[0];
  if (live.buckets == nullptr) {
    live = Allocate(kInitialBuckets);
  } else if (live.used >= live.count()) {
    tables_[1] = Allocate(live.count() * 2);
    rehash_index_ = 0;
  }
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::ShrinkIfNeeded() {
  const Table& live = tables_[0];
  if (rehashing() || live.count() <= kInitialBuckets) return;
  if (live.used * kShrinkFillDivisor >= live.count()) return;
  // Half full after the shrink, so that a few inserts do not grow it straight back.
  size_t half_full =
      std::bit_ceil(live.used * 2 < kInitialBuckets ? kInitialBuckets : live.used * 2);
  size_t floor = live.count() / kShrinkFactorMax;
  tables_[1] = Allocate(half_full > floor ? half_full : floor);
  rehash_index_ = 0;
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::MoveBucket(size_t index) {
  Table& from = tables_[0];
  Table& to = tables_[1];
  Node* n = from.buckets[index];
  from.buckets[index] = nullptr;
  while (n != nullptr) {
    Node* rest = n->next;
    --from.used;
    PushFront(to, n);
    n = rest;
  }
}

template <typename Node, typename Hash>
bool Dict<Node, Hash>::RehashStep(size_t buckets) {
  if (!rehashing()) return false;
  size_t empty_visits_left = buckets * kEmptyVisitsPerStep;
  while (buckets > 0 && tables_[0].used > 0 && empty_visits_left > 0) {
    SB_CHECK(rehash_index_ < tables_[0].count(), "dict rehash ran past the old array");
    if (tables_[0].buckets[rehash_index_] == nullptr) {
      ++rehash_index_;
      --empty_visits_left;
    } else {
      MoveBucket(rehash_index_++);
      --buckets;
    }
  }
  FinishResizeIfDone();
  return rehashing();
}

template <typename Node, typename Hash>
void Dict<Node, Hash>::FinishResizeIfDone() {
  if (tables_[0].used != 0) return;
  std::free(tables_[0].buckets);
  tables_[0] = tables_[1];
  tables_[1] = Table();
  rehash_index_ = kNotRehashing;
  ShrinkIfNeeded();  // a shrink goes down by kShrinkFactorMax at most: carry on if sparse
}

// ---- Scan and random pick ------------------------------------------------------------------

template <typename Node, typename Hash>
size_t Dict<Node, Hash>::StepBuckets() const {
  if (!rehashing()) return 1;
  size_t a = tables_[0].count();
  size_t b = tables_[1].count();
  return 1 + (a > b ? a / b : b / a);
}

template <typename Node, typename Hash>
template <typename Emit>
uint64_t Dict<Node, Hash>::Scan(uint64_t cursor, size_t count, Emit emit,
                                size_t* buckets_visited) const {
  size_t emitted = 0;
  size_t visited = 0;
  const size_t visited_max = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  auto counted = [&](const Node* n) {
    ++emitted;
    emit(n);
  };
  do {
    cursor = ScanStep(cursor, counted, &visited);
  } while (cursor != 0 && emitted < count && visited + StepBuckets() <= visited_max);
  if (buckets_visited != nullptr) *buckets_visited += visited;
  return cursor;
}

template <typename Node, typename Hash>
template <typename Emit>
uint64_t Dict<Node, Hash>::ScanStep(uint64_t cursor, Emit& emit, size_t* visited) const {
  if (empty()) return 0;
  auto emit_chain = [&](const Node* n) {
    ++*visited;
    for (; n != nullptr; n = n->next) emit(n);
  };
  if (!rehashing()) {
    emit_chain(tables_[0].buckets[cursor & tables_[0].mask]);
    return NextScanCursor(cursor, tables_[0].mask);
  }
  // The smaller array's bucket, then every bucket of the larger array whose low bits are that
  // bucket's index: where its nodes may have moved to, or come from.
  const Table* small = &tables_[0];
  const Table* large = &tables_[1];
  if (small->mask > large->mask) std::swap(small, large);
  emit_chain(small->buckets[cursor & small->mask]);
  do {
    emit_chain(large->buckets[cursor & large->mask]);
    cursor = NextScanCursor(cursor, large->mask);
  } while ((cursor & (small->mask ^ large->mask)) != 0);
  return cursor;
}

template <typename Node, typename Hash>
template <typename Random>
const Node* Dict<Node, Hash>::RandomNode(Random&& random) const {
  if (empty()) return nullptr;
  // Buckets of tables_[0] below rehash_index_ are empty: draw among the others only.
  const size_t skipped = rehashing() ? rehash_index_ : 0;
  const size_t span = bucket_count() - skipped;
  const Node* head = nullptr;
  while (head == nullptr) head = Head(skipped + static_cast<size_t>(random() % span));
  size_t chain = 0;
  for (const Node* n = head; n != nullptr; n = n->next) ++chain;
  for (size_t pick = static_cast<size_t>(random() % chain); pick > 0; --pick) head = head->next;
  return head;
}

// ---- Iteration -----------------------------------------------------------------------------

template <typename Node, typename Hash>
typename Dict<Node, Hash>::Iterator Dict<Node, Hash>::IteratorAt(std::string_view key) const {
  Position at = Locate(key);
  if (at.link == nullptr) return end();
  return MakeIterator(at.which == 0 ? at.bucket : tables_[0].count() + at.bucket, *at.link);
}

}  // namespace strongbox::state
