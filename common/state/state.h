// The keyspace: 16 databases of key -> value with optional absolute expiry. The engine and
// the snapshotter hold one each and change it only through ApplyOp (apply.h), which is what
// makes replay produce the same state as the engine had.
//
// Memory layout (what makes a small key cheaper than in Redis): each key is one heap node,
// an Entry, holding the value's 16-byte payload, the expiry, the type and the key bytes; the
// per-database table (key_table.h) chains the nodes through a pointer in the node, so it costs
// one 8-byte bucket per one or two keys and never moves a node. Strings up to 16 bytes live
// inside the node; longer ones in one buffer with room to grow (APPEND). Hashes and
// sorted sets live inside the node too (packed while small, see collections.h); lists and sets
// are one pointer to their container.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/state/access_tracking.h"
#include "common/state/collections.h"
#include "common/state/key_table.h"
#include "common/state/stream.h"

namespace strongbox::state {

// The largest string (and key) a node can hold: its sizes are 32-bit.
inline constexpr uint64_t kStringBytesMax = UINT32_MAX;

inline constexpr int kDatabaseCount = 16;

enum class ValueType : uint8_t {
  kString = 0,
  kHash = 1,
  kList = 2,
  kSet = 3,
  kZSet = 4,
  kStream = 5
};
std::string_view TypeName(ValueType type);

class Entry {
 public:
  // A new node holding `key` and an empty string; freed with Destroy.
  static Entry* Create(std::string_view key);
  static void Destroy(Entry* entry);
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  std::string_view key() const {
    if (key_size_short_ != kLongKey) return {key_bytes(), key_size_short_};
    uint32_t size;
    std::memcpy(&size, key_bytes(), sizeof(size));
    return {key_bytes() + sizeof(size), size};
  }
  ValueType type() const { return static_cast<ValueType>(type_); }
  bool expired(int64_t now_ms) const { return expire_at_ms_ != 0 && expire_at_ms_ <= now_ms; }

  // Strings.
  std::optional<std::string_view> str() const;
  void SetString(std::string_view value);
  void AppendString(std::string_view suffix);
  // Overwrites at `offset`, zero-padding the gap (SETRANGE).
  void WriteString(size_t offset, std::string_view bytes);

  // Collections: the container if the value has that type, else nullptr.
  HashValue* hash() { return is(ValueType::kHash) ? payload_as<HashValue>() : nullptr; }
  const HashValue* hash() const { return is(ValueType::kHash) ? payload_as<HashValue>() : nullptr; }
  ZSetValue* zset() { return is(ValueType::kZSet) ? payload_as<ZSetValue>() : nullptr; }
  const ZSetValue* zset() const { return is(ValueType::kZSet) ? payload_as<ZSetValue>() : nullptr; }
  ListValue* list() { return is(ValueType::kList) ? *payload_as<ListValue*>() : nullptr; }
  const ListValue* list() const {
    return is(ValueType::kList) ? *payload_as<ListValue*>() : nullptr;
  }
  SetValue* set() { return is(ValueType::kSet) ? *payload_as<SetValue*>() : nullptr; }
  const SetValue* set() const { return is(ValueType::kSet) ? *payload_as<SetValue*>() : nullptr; }
  StreamValue* stream() { return is(ValueType::kStream) ? *payload_as<StreamValue*>() : nullptr; }
  const StreamValue* stream() const {
    return is(ValueType::kStream) ? *payload_as<StreamValue*>() : nullptr;
  }
  // Replace the value with an empty collection and return it.
  HashValue* MakeHash();
  ZSetValue* MakeZSet();
  ListValue* MakeList();
  SetValue* MakeSet();
  StreamValue* MakeStream();

  // RENAME: takes other's value (other is left an empty string). COPY: a deep copy.
  void MoveValueFrom(Entry& other);
  void CopyValueFrom(const Entry& other);
  // Bytes the value holds on the heap outside the node (MEMORY USAGE, INFO).
  size_t value_heap_bytes() const;
  // Bytes of the node itself.
  size_t node_bytes() const { return AllocationBytes(key().size()); }

  // Absolute expiry in ms, 0 = none. Changed only through Db::SetExpiry (the expiry index).
  int64_t expire_at_ms() const { return expire_at_ms_; }

  // Access tracking (access_tracking.h): seconds since the last access on `clock`'s scale, and
  // the LFU counter with the decay since then applied (OBJECT IDLETIME / FREQ, eviction).
  uint64_t idle_seconds(const AccessClock& clock) const {
    return IdleSeconds(clock.lru_clock_s, access_clock_s_);
  }
  uint8_t lfu_counter(const AccessClock& clock) const {
    return LfuDecayed(static_cast<uint8_t>(lfu_counter_), idle_seconds(clock) / 60,
                      kLfuDecayMinutes);
  }
  // One access: Db::Find calls this (and Db::Upsert stamps a new key), nothing else.
  void Touch(AccessClock& clock) {
    if (clock.lfu) {
      lfu_counter_ = LfuLogIncrement(lfu_counter(clock), kLfuLogFactor, clock.NextRandom());
    }
    access_clock_s_ = clock.lru_clock_s;
  }

 private:
  friend class Db;
  friend class KeyTable;
  Entry() = default;
  ~Entry();
  // small_size_ of a string held in a HeapString (inline strings have 0 to 16 bytes).
  static constexpr uint8_t kHeapString = 31;
  // key_size_short_ of a key of 255 bytes or more: its 32-bit size precedes its bytes.
  static constexpr uint8_t kLongKey = 255;
  // The key starts in the node's last two bytes and runs on past sizeof(Entry): a key of up
  // to 10 bytes makes a 48-byte node (jemalloc's 48-byte class), keys of 11 to 26 bytes 64.
  static constexpr size_t kKeyOffset = 38;
  static size_t AllocationBytes(size_t key_size) {
    size_t prefix = key_size >= kLongKey ? sizeof(uint32_t) : 0;
    return std::max(sizeof(Entry), kKeyOffset + prefix + key_size);
  }
  bool is(ValueType type) const { return type_ == static_cast<uint8_t>(type); }
  void set_type(ValueType type) { type_ = static_cast<uint8_t>(type) & 7; }
  template <typename T>
  T* payload_as() {
    return std::launder(reinterpret_cast<T*>(payload_));
  }
  template <typename T>
  const T* payload_as() const {
    return std::launder(reinterpret_cast<const T*>(payload_));
  }
  struct HeapString {
    char* data;
    uint32_t size;
    uint32_t capacity;
  };
  void DestroyValue();              // leaves an empty string
  void ReserveString(size_t size);  // makes the string heap-held with room for `size`

  // Why 40 bytes and this order: jemalloc rounds a node to 48, 64 or 80 bytes, so what counts
  // is how many key bytes fit before the next class. Everything but the key is 38 bytes: the
  // 16-byte payload, the full 64-bit expiry (Redis accepts any positive ms time, so no 48-bit
  // truncation), the chain link, then the access bits, type, string size and key size packed
  // into 6 bytes. A 10-byte key ("key:123456") thus fits the 48-byte class, as before the
  // access bits were added. The link, the key's size and its bytes (what a lookup reads) are
  // adjacent, at offsets 24 to 38 + key size.
  //
  // A string: inline bytes (small_size_ <= 16) or a HeapString (small_size_ == kHeapString).
  // A hash or sorted set: the HashValue/ZSetValue object itself. A list, set or stream: its
  // pointer.
  alignas(8) unsigned char payload_[16];  // offset 0
  int64_t expire_at_ms_ = 0;              // offset 16
  // offset 24: the key table's chain, with the next node's hash tag (key_table.h).
  uintptr_t next_ = 0;
  // offset 32: Redis's 24-bit lru field (seconds) and LFU counter, in one word.
  uint32_t access_clock_s_ : 24 = 0;
  uint32_t lfu_counter_ : 8 = kLfuInitialCounter;
  uint8_t type_ : 3 = 0;        // offset 36: a ValueType
  uint8_t small_size_ : 5 = 0;  // a string's inline size, or kHeapString
  uint8_t key_size_short_ = 0;  // offset 37: the key's size, or kLongKey
  // The key runs from key_head_ into the rest of the allocation: addressed from the node's
  // start (key_bytes), since indexing past the 2-byte member is undefined (UBSan's bounds check).
  const char* key_bytes() const { return reinterpret_cast<const char*>(this) + kKeyOffset; }
  char* key_bytes() { return reinterpret_cast<char*>(this) + kKeyOffset; }
  char key_head_[2];  // offset 38: the key's first bytes (or a long key's size)
};

static_assert(sizeof(Entry) == 40, "the node's layout is sized by hand: see the comment above");
static_assert(sizeof(HashValue) <= 16 && sizeof(ZSetValue) <= 16,
              "hashes and sorted sets must fit the entry's payload");

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Destroy(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

// What FLUSHDB / FLUSHALL drop from a database: every node and the expiry index.
struct DroppedKeys {
  KeyTable table;
  std::set<std::pair<int64_t, std::string>> expiry_index;
};

// Where a Db sends what is costly to free, so that dropping a million-member set does not stall
// the caller (the engine's loop gives a background thread, lazy_free.h). Without one, everything
// is freed inline: replay at recovery, the snapshotter, tests.
class Disposer {
 public:
  virtual ~Disposer() = default;
  virtual void Dispose(EntryPtr entry) = 0;
  virtual void Dispose(std::unique_ptr<DroppedKeys> keys) = 0;
};

// Redis's lazyfreeGetFreeEffort: what freeing the value costs, in allocations to release (a
// collection's element count; 1 for a string or a packed hash / sorted set).
size_t FreeEffort(const Entry& e);
// Redis's LAZYFREE_THRESHOLD: a value (or database) of more effort goes to the Disposer.
inline constexpr size_t kLazyFreeEffortMin = 64;

class Db {
 public:
  // Live entry or nullptr: an entry whose expiry has passed reads as absent (it stays in the
  // table until a DEL effect removes it, so replay sees the same table).
  Entry* Find(std::string_view key, int64_t now_ms);
  const Entry* Find(std::string_view key, int64_t now_ms) const;
  // Entry regardless of expiry (apply and the expiry cycle use this).
  Entry* FindRaw(std::string_view key);
  // Cache hints for a batch of lookups: see KeyTable::PrefetchSlot.
  uint64_t PrefetchSlot(std::string_view key) const { return table_.PrefetchSlot(key); }
  void PrefetchChain(uint64_t hash) const { table_.PrefetchChain(hash); }
  // The entry for `key`, created as an empty string if absent. Nodes never move: the
  // reference stays valid until the key is erased.
  Entry& Upsert(std::string_view key);
  bool Erase(std::string_view key);
  // Leaves `e` an empty string; a value costly to free goes to the disposer (SET over a hash).
  void ReleaseValue(Entry& e);
  void Clear();
  // Where erased nodes and cleared tables that are costly to free go (nullptr: freed inline).
  void set_disposer(Disposer* disposer) { disposer_ = disposer; }
  // Advances a resize of the table by up to `buckets` buckets (a timer tick calls this so an
  // idle database finishes its resize too); returns whether one is still in progress.
  bool RehashStep(size_t buckets) { return table_.RehashStep(buckets); }
  // Bulk loading (snapshots, replay): see KeyTable::ResizeTo. InsertLoaded links a node built
  // off the table (stamped as accessed now, its expiry indexed) unless its key is present
  // (false: the caller still owns the node).
  void ResizeTo(size_t keys) { table_.ResizeTo(keys); }
  bool InsertLoaded(Entry* entry, int64_t expire_at_ms);

  size_t size() const { return table_.size(); }
  size_t expires() const { return expiry_index_.size(); }
  // The only way to change an entry's expiry: keeps the expiry index right.
  void SetExpiry(std::string_view key, Entry& e, int64_t expire_at_ms);
  // Keys with an expiry, soonest first: active expiry takes exactly the keys that are due
  // instead of sampling.
  const std::set<std::pair<int64_t, std::string>>& expiry_index() const { return expiry_index_; }
  // Iteration (each element a const Entry*), SCAN's cursor steps and random picks.
  const KeyTable& table() const { return table_; }
  // Bytes the table's buckets take (INFO memory).
  size_t table_bytes() const { return table_.bucket_bytes(); }

 private:
  KeyTable table_;
  // std::set rather than absl::btree_set: see ZSetValue::Big.
  std::set<std::pair<int64_t, std::string>> expiry_index_;
  Disposer* disposer_ = nullptr;
};

class State {
 public:
  Db& db(int index) { return dbs_[static_cast<size_t>(index)]; }
  const Db& db(int index) const { return dbs_[static_cast<size_t>(index)]; }
  size_t TotalKeys() const;
  // Every database's disposer (see Db::set_disposer); moving a State carries it along.
  void set_disposer(Disposer* disposer) {
    for (Db& d : dbs_) d.set_disposer(disposer);
  }

  // Function libraries (FUNCTION LOAD): name -> full code, shebang included. They are data like
  // keys (logged as effects, kept in snapshots); compiling them is the engine's business, so
  // this only carries the text. `libraries_version` changes with every change of the map: the
  // engine recompiles when it differs from the version it compiled.
  const std::map<std::string, std::string>& libraries() const { return libraries_; }
  void SetLibrary(std::string_view name, std::string_view code) {
    libraries_[std::string(name)] = std::string(code);
    ++libraries_version_;
  }
  void EraseLibrary(std::string_view name) {
    libraries_.erase(std::string(name));
    ++libraries_version_;
  }
  void ClearLibraries() {
    libraries_.clear();
    ++libraries_version_;
  }
  uint64_t libraries_version() const { return libraries_version_; }

 private:
  std::array<Db, kDatabaseCount> dbs_;
  std::map<std::string, std::string> libraries_;
  uint64_t libraries_version_ = 0;
};

}  // namespace strongbox::state
