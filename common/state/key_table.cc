// The key table's chains, incremental resize and iteration (see key_table.h).
#include "common/state/key_table.h"

#include <algorithm>
#include <bit>
#include <new>
#include <utility>

#include "common/state/state.h"
#include "common/util/check.h"

namespace strongbox::state {
namespace {

// Redis's limits: grow at one node per bucket, shrink below one per eight (the gap keeps a
// table from resizing back and forth around one size), and a rehash step that finds only
// empty buckets gives up after 10 per bucket it was asked to move.
constexpr size_t kEmptyVisitsPerStep = 10;
constexpr size_t kShrinkFillDivisor = 8;
// A shrink by at most this factor: a scan step over a resize visits one small bucket and
// (large / small) large ones, so this bounds the cost of one step.
constexpr size_t kShrinkFactorMax = 8;
// Cursors are bucket indexes; clients that read them as doubles (JavaScript) need < 2^53.
constexpr size_t kBucketsMax = size_t{1} << 53;

uint64_t HashOf(std::string_view key) { return KeyHash{}(key); }

}  // namespace

Entry* KeyTable::Next(const Entry* e) { return NodeOf(e->next_); }

KeyTable::Link KeyTable::MakeLink(Entry* node, uint64_t hash, Link next) {
  auto address = reinterpret_cast<Link>(node);
  SB_CHECK((address & ~kPointerMask) == 0, "node address %p above 2^48", static_cast<void*>(node));
  return address | TagOf(hash) | (next != 0 ? kMayFollow : 0);
}

void KeyTable::PushFront(Buckets& t, Entry* entry, uint64_t hash) {
  Link& head = t.buckets[hash & t.mask];
  entry->next_ = head;
  head = MakeLink(entry, hash, head);
}

KeyTable::Buckets KeyTable::Allocate(size_t count) {
  SB_CHECK(std::has_single_bit(count) && count <= kBucketsMax, "bucket count %zu", count);
  // calloc: a large array comes as fresh zero pages from mmap, so growing does not stall on
  // clearing it; the pages are touched as the rehash fills them.
  auto* p = static_cast<Link*>(std::calloc(count, sizeof(Link)));
  if (p == nullptr) throw std::bad_alloc();
  Buckets t;
  t.buckets.reset(p);
  t.mask = count - 1;
  return t;
}

void KeyTable::Swap(KeyTable& other) noexcept {
  std::swap(tables_[0], other.tables_[0]);
  std::swap(tables_[1], other.tables_[1]);
  std::swap(rehash_index_, other.rehash_index_);
}

Entry* KeyTable::Find(std::string_view key) const {
  if (size() == 0) return nullptr;
  uint64_t hash = HashOf(key);
  Link tag = TagOf(hash);
  for (int which = 0; which < 2; ++which) {
    const Buckets& t = tables_[which];
    if (t.buckets == nullptr) break;
    uint64_t index = hash & t.mask;
    // Buckets already moved out of tables_[0] are empty: skip the load.
    if (which == 0 && rehashing() && index < rehash_index_) continue;
    for (Link link = t.buckets[index]; link != 0;) {
      Entry* e = NodeOf(link);
      if (TagOfLink(link) == tag && e->key() == key) return e;
      if ((link & kMayFollow) == 0) break;
      link = e->next_;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

uint64_t KeyTable::PrefetchSlot(std::string_view key) const {
  uint64_t hash = HashOf(key);
  for (const Buckets& t : tables_) {
    if (t.buckets != nullptr) __builtin_prefetch(BucketOf(t, hash));
  }
  return hash;
}

void KeyTable::PrefetchChain(uint64_t hash) const {
  for (const Buckets& t : tables_) {
    if (t.buckets == nullptr) continue;
    // Not the node if its tag says it cannot hold the key and nothing follows it.
    Link link = *BucketOf(t, hash);
    if (link != 0 && (TagOfLink(link) == TagOf(hash) || (link & kMayFollow) != 0)) {
      __builtin_prefetch(NodeOf(link));
    }
  }
}

Entry* KeyTable::FindAndStep(std::string_view key) {
  if (rehashing()) RehashStep(1);
  return Find(key);
}

void KeyTable::Insert(Entry* entry) {
  if (rehashing()) RehashStep(1);
  GrowIfNeeded();
  // During a resize new nodes go straight to the new array, so the old one only drains.
  Buckets& t = rehashing() ? tables_[1] : tables_[0];
  PushFront(t, entry, HashOf(entry->key()));
  ++t.used;
}

Entry* KeyTable::Unlink(std::string_view key) {
  if (size() == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  uint64_t hash = HashOf(key);
  Link tag = TagOf(hash);
  for (int which = 0; which < 2; ++which) {
    Buckets& t = tables_[which];
    if (t.buckets == nullptr) break;
    for (Link* link = &t.buckets[hash & t.mask]; *link != 0; link = &NodeOf(*link)->next_) {
      Entry* e = NodeOf(*link);
      if (TagOfLink(*link) != tag || e->key() != key) {
        if ((*link & kMayFollow) == 0) break;
        continue;
      }
      // The link now leads to e's successor with its tag and bit; the bit of the link to e's
      // predecessor stays set even if nothing follows now (allowed: see key_table.h).
      *link = e->next_;
      e->next_ = 0;
      --t.used;
      ShrinkIfNeeded();
      return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void KeyTable::Clear() {
  for (Buckets& t : tables_) {
    for (size_t i = 0; i < t.count(); ++i) {
      for (Entry* e = NodeOf(t.buckets[i]); e != nullptr;) {
        Entry* next = Next(e);
        Entry::Destroy(e);
        e = next;
      }
    }
    t = Buckets();
  }
  rehash_index_ = kNotRehashing;
}

void KeyTable::ResizeTo(size_t keys) {
  // Built on the incremental resize's own steps, run to the end at once: the same moves, the
  // same node links, only never interleaved with lookups.
  auto finish = [this] {
    while (rehashing()) RehashStep(tables_[0].count());
  };
  finish();
  size_t count =
      std::min(std::max(std::bit_ceil(std::max<size_t>(keys, 1)), kInitialBuckets), kBucketsMax);
  if (count == tables_[0].count()) return;
  if (size() == 0) {
    tables_[0] = keys == 0 ? Buckets() : Allocate(count);
    return;
  }
  StartResize(count);
  finish();
}

bool KeyTable::InsertNew(Entry* entry) {
  if (Find(entry->key()) != nullptr) return false;
  Insert(entry);
  return true;
}

void KeyTable::GrowIfNeeded() {
  if (rehashing()) return;
  if (tables_[0].buckets == nullptr) {
    tables_[0] = Allocate(kInitialBuckets);
  } else if (tables_[0].used >= tables_[0].count()) {
    StartResize(tables_[0].count() * 2);
  }
}

void KeyTable::ShrinkIfNeeded() {
  const Buckets& t = tables_[0];
  if (rehashing() || t.count() <= kInitialBuckets) return;
  if (t.used * kShrinkFillDivisor >= t.count()) return;
  // Half full after the shrink, so that a few inserts do not grow it straight back.
  size_t target = std::max(std::bit_ceil(std::max<size_t>(t.used * 2, 1)), kInitialBuckets);
  StartResize(std::max(target, t.count() / kShrinkFactorMax));
}

void KeyTable::StartResize(size_t count) {
  tables_[1] = Allocate(count);
  rehash_index_ = 0;
}

void KeyTable::MoveBucket(size_t index) {
  Buckets& from = tables_[0];
  Buckets& to = tables_[1];
  for (Entry* e = NodeOf(from.buckets[index]); e != nullptr;) {
    Entry* next = Next(e);
    PushFront(to, e, HashOf(e->key()));
    --from.used;
    ++to.used;
    e = next;
  }
  from.buckets[index] = 0;
}

bool KeyTable::RehashStep(size_t buckets) {
  if (!rehashing()) return false;
  size_t empty_visits_left = buckets * kEmptyVisitsPerStep;
  while (buckets > 0 && tables_[0].used > 0) {
    SB_CHECK(rehash_index_ < tables_[0].count(), "rehash ran past the old table");
    if (tables_[0].buckets[rehash_index_] == 0) {
      ++rehash_index_;
      if (--empty_visits_left == 0) break;
      continue;
    }
    MoveBucket(rehash_index_++);
    --buckets;
  }
  FinishResizeIfDone();
  return rehashing();
}

void KeyTable::FinishResizeIfDone() {
  if (tables_[0].used != 0) return;
  tables_[0] = std::move(tables_[1]);
  tables_[1] = Buckets();
  rehash_index_ = kNotRehashing;
  // A shrink goes down by kShrinkFactorMax at most: carry on if still sparse.
  ShrinkIfNeeded();
}

// ---- Iteration ----------------------------------------------------------------------------

KeyTable::Iterator KeyTable::begin() const {
  Iterator it;
  it.table_ = this;
  it.SkipEmptyBuckets();
  return it;
}

KeyTable::Iterator& KeyTable::Iterator::operator++() {
  entry_ = Next(entry_);
  if (entry_ == nullptr) {
    ++bucket_;
    SkipEmptyBuckets();
  }
  return *this;
}

void KeyTable::Iterator::SkipEmptyBuckets() {
  for (; which_ < 2; ++which_, bucket_ = 0) {
    const Buckets& t = table_->tables_[which_];
    for (; bucket_ < t.count(); ++bucket_) {
      if (t.buckets[bucket_] != 0) {
        entry_ = NodeOf(t.buckets[bucket_]);
        return;
      }
    }
  }
  entry_ = nullptr;
}

}  // namespace strongbox::state
