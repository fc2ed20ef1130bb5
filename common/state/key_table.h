// The per-database key table: a chained hash table of Entry nodes with Redis dict's properties.
// Nodes never move (the chain link lives in the node), so an Entry* stays valid until its key is
// erased. Growth and shrinking are incremental: during a resize two bucket arrays coexist and
// every lookup, insert and erase (plus RehashStep from a timer) moves a bounded number of
// buckets, so no single command pays for a whole resize. SCAN walks bucket indexes in
// reverse-binary order (Redis's dictScan), so a key present for a whole scan is returned at
// least once whatever resizes happen between calls, and cursors are bucket indexes (< 2^53).
//
// Links (bucket slots and the nodes' next fields) are tagged pointers: a node's address in the
// low 48 bits (user-space addresses on x86-64 and AArch64 fit 47), 15 bits of its key's hash
// above, and a top bit saying that nodes may follow it. A lookup compares keys only in nodes
// whose tag matches and stops at a link without that bit, so looking up an absent key whose
// bucket holds one node reads the bucket slot only, not the node (the cache miss of a SET of a
// new key), and a chain's other nodes are stepped over without comparing keys. The bit may be
// set when nothing follows (after an unlink), never the other way round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>

#include "common/state/scan_order.h"

namespace strongbox::state {

class Entry;

class KeyTable {
 public:
  KeyTable() = default;
  ~KeyTable() { Clear(); }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  KeyTable(KeyTable&& other) noexcept { Swap(other); }
  KeyTable& operator=(KeyTable&& other) noexcept {
    KeyTable old(std::move(other));
    Swap(old);
    return *this;
  }

  // Pure lookup: never moves a bucket, so it is safe while someone iterates the table.
  Entry* Find(std::string_view key) const;
  // Lookup that also advances a resize in progress by one step.
  Entry* FindAndStep(std::string_view key);
  // Prefetching for a batch of lookups (a pipelined client's next commands), so that their
  // cache misses overlap instead of coming one after the other: PrefetchSlot asks for the
  // key's bucket slot and returns the key's hash; PrefetchChain, called once the slots of the
  // whole batch were asked for, asks for the first node of that bucket's chain. Both are hints:
  // they change nothing and cost one hash and a load when the data is already cached.
  uint64_t PrefetchSlot(std::string_view key) const;
  void PrefetchChain(uint64_t hash) const;
  // Links a node whose key is not in the table yet; the table owns it from now on.
  void Insert(Entry* entry);
  // Unlinks the node with `key` and hands it back to the caller (nullptr if absent).
  Entry* Unlink(std::string_view key);
  // Destroys every node and frees the buckets.
  void Clear();
  // Bulk loading (snapshots, replay). ResizeTo finishes a resize in progress and resizes at once
  // to the bucket count `keys` keys want (grow or shrink): no incremental steps, so loading N
  // keys moves no node twice. InsertNew links `entry` unless its key is present (false: the
  // caller keeps the node); one lookup instead of Find + Insert.
  void ResizeTo(size_t keys);
  bool InsertNew(Entry* entry);

  // Moves up to `buckets` buckets of a resize in progress (visiting at most 10x as many empty
  // ones); returns whether a resize is still in progress. For a timer tick.
  bool RehashStep(size_t buckets);
  bool rehashing() const { return rehash_index_ != kNotRehashing; }

  size_t size() const { return tables_[0].used + tables_[1].used; }
  bool empty() const { return size() == 0; }
  // Buckets of both arrays (the cursor space is that of the larger one).
  size_t bucket_count() const { return tables_[0].count() + tables_[1].count(); }
  size_t bucket_bytes() const { return bucket_count() * sizeof(Link); }

  // One SCAN call: cursor steps until `count` nodes went to `emit(const Entry*)` or count * 10
  // buckets were looked at (Redis's bound, so that a sparse table cannot make one call walk
  // all of it). Returns the next cursor, 0 when the scan is done; `buckets_visited` (if given)
  // is increased by the buckets looked at.
  template <typename Emit>
  uint64_t Scan(uint64_t cursor, size_t count, Emit emit, size_t* buckets_visited = nullptr) const;
  // One cursor step: emits every node of the cursor's bucket (during a resize, of the smaller
  // array's bucket and of the larger array's buckets that share its low bits).
  template <typename Emit>
  uint64_t ScanBucket(uint64_t cursor, Emit& emit, size_t* buckets_visited) const;

  // A uniformly chosen bucket's random node (Redis's dictGetRandomKey): `random` is called for
  // 64 random bits. nullptr if the table is empty.
  template <typename Random>
  Entry* RandomEntry(Random&& random) const;

  // Forward iteration over every node, for snapshots, digests and KEYS. The table must not
  // change (no FindAndStep/Insert/Unlink) while an iterator is in use.
  class Iterator {
   public:
    const Entry* operator*() const { return entry_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return entry_ == o.entry_; }
    bool operator!=(const Iterator& o) const { return entry_ != o.entry_; }

   private:
    friend class KeyTable;
    void SkipEmptyBuckets();
    const KeyTable* table_ = nullptr;
    int which_ = 0;
    size_t bucket_ = 0;
    const Entry* entry_ = nullptr;
  };
  Iterator begin() const;
  Iterator end() const { return Iterator(); }

 private:
  // A tagged pointer to a node (see the top of this file); 0 for none.
  using Link = uintptr_t;
  static constexpr int kTagShift = 48;
  static constexpr Link kPointerMask = (Link{1} << kTagShift) - 1;
  static constexpr Link kMayFollow = Link{1} << 63;
  static Entry* NodeOf(Link link) { return reinterpret_cast<Entry*>(link & kPointerMask); }
  // The hash's top 15 bits (the bucket index takes the low ones), placed as in a link.
  static Link TagOf(uint64_t hash) { return (hash >> 1) & ~kPointerMask & ~kMayFollow; }
  static Link TagOfLink(Link link) { return link & ~kPointerMask & ~kMayFollow; }
  static Link MakeLink(Entry* node, uint64_t hash, Link next);

  struct FreeDeleter {
    void operator()(Link* p) const { std::free(p); }
  };
  struct Buckets {
    std::unique_ptr<Link[], FreeDeleter> buckets;
    uint64_t mask = 0;  // bucket count - 1 (0 with no buckets)
    size_t used = 0;
    size_t count() const { return buckets ? mask + 1 : 0; }
  };
  static constexpr size_t kNotRehashing = SIZE_MAX;
  static constexpr size_t kInitialBuckets = 4;

  static Entry* Next(const Entry* e);
  static const Link* BucketOf(const Buckets& t, uint64_t hash) { return &t.buckets[hash & t.mask]; }
  static Buckets Allocate(size_t count);
  void Swap(KeyTable& other) noexcept;
  void GrowIfNeeded();
  void ShrinkIfNeeded();
  void StartResize(size_t count);
  void MoveBucket(size_t index);
  void FinishResizeIfDone();
  // Pushes `entry` (whose key hashes to `hash`) on the front of its chain in `t`.
  static void PushFront(Buckets& t, Entry* entry, uint64_t hash);
  template <typename Emit>
  static void EmitChain(Link head, Emit& emit);

  // tables_[0] is the live array; during a resize nodes move bucket by bucket from it into
  // tables_[1], and buckets of tables_[0] below rehash_index_ are already empty.
  Buckets tables_[2];
  size_t rehash_index_ = kNotRehashing;
};

// ---- Templates ----------------------------------------------------------------------------

template <typename Emit>
void KeyTable::EmitChain(Link head, Emit& emit) {
  for (const Entry* e = NodeOf(head); e != nullptr;) {
    const Entry* next = Next(e);  // read first: `emit` may not touch the node, but be safe
    emit(e);
    e = next;
  }
}

template <typename Emit>
uint64_t KeyTable::Scan(uint64_t cursor, size_t count, Emit emit, size_t* buckets_visited) const {
  size_t emitted = 0;
  size_t visited = 0;
  size_t visited_max = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  auto counted = [&](const Entry* e) {
    ++emitted;
    emit(e);
  };
  do {
    cursor = ScanBucket(cursor, counted, &visited);
  } while (cursor != 0 && emitted < count && visited < visited_max);
  if (buckets_visited != nullptr) *buckets_visited += visited;
  return cursor;
}

template <typename Emit>
uint64_t KeyTable::ScanBucket(uint64_t cursor, Emit& emit, size_t* buckets_visited) const {
  if (size() == 0) return 0;
  size_t visited = 0;
  uint64_t v = cursor;
  if (!rehashing()) {
    const Buckets& t = tables_[0];
    EmitChain(t.buckets[v & t.mask], emit);
    ++visited;
    v = NextScanCursor(v, t.mask);
  } else {
    // Visit the smaller array's bucket, then every bucket of the larger array that its nodes
    // may have moved to (or come from): those whose low bits equal the small bucket's index.
    const Buckets* small = &tables_[0];
    const Buckets* large = &tables_[1];
    if (small->mask > large->mask) std::swap(small, large);
    EmitChain(small->buckets[v & small->mask], emit);
    ++visited;
    do {
      EmitChain(large->buckets[v & large->mask], emit);
      ++visited;
      v = NextScanCursor(v, large->mask);
    } while (v & (small->mask ^ large->mask));
  }
  *buckets_visited += visited;
  return v;
}

template <typename Random>
Entry* KeyTable::RandomEntry(Random&& random) const {
  if (size() == 0) return nullptr;
  Link link = 0;
  // Buckets of tables_[0] below rehash_index_ are empty: draw among the others only.
  size_t first = rehashing() ? rehash_index_ : 0;
  size_t span = tables_[0].count() - first + (rehashing() ? tables_[1].count() : 0);
  while (link == 0) {
    size_t i = first + static_cast<size_t>(random() % span);
    link =
        i < tables_[0].count() ? tables_[0].buckets[i] : tables_[1].buckets[i - tables_[0].count()];
  }
  Entry* head = NodeOf(link);
  size_t length = 0;
  for (const Entry* e = head; e != nullptr; e = Next(e)) ++length;
  size_t pick = static_cast<size_t>(random() % length);
  while (pick-- > 0) head = Next(head);
  return head;
}

}  // namespace strongbox::state
