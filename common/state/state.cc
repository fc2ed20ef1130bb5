// Keyspace bookkeeping: entry nodes, lookups, expiry index.
#include "common/state/state.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/util/check.h"

namespace strongbox::state {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kHash:
      return "hash";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

// ---- Entry --------------------------------------------------------------------------------

Entry* Entry::Create(std::string_view key) {
  static_assert(offsetof(Entry, key_head_) == kKeyOffset, "key bytes must follow the header");
  static_assert(offsetof(Entry, next_) == 24 && offsetof(Entry, key_size_short_) == 37,
                "the link and the key size sit next to the key (one cache line for a lookup)");
  static_assert(kHeapString > sizeof(payload_) && kHeapString < (1 << 5),
                "an inline size and the heap mark must fit small_size_'s 5 bits");
  static_assert(static_cast<int>(ValueType::kStream) < (1 << 3), "a type must fit type_'s 3 bits");
  SB_CHECK(key.size() <= UINT32_MAX, "key too long");
  void* mem = ::operator new(AllocationBytes(key.size()));
  Entry* e = new (mem) Entry();
  char* key_bytes = e->key_bytes();
  if (key.size() >= kLongKey) {
    auto size = static_cast<uint32_t>(key.size());
    std::memcpy(key_bytes, &size, sizeof(size));
    key_bytes += sizeof(size);
    e->key_size_short_ = kLongKey;
  } else {
    e->key_size_short_ = static_cast<uint8_t>(key.size());
  }
  std::memcpy(key_bytes, key.data(), key.size());
  return e;
}

void Entry::Destroy(Entry* entry) {
  entry->~Entry();
  ::operator delete(static_cast<void*>(entry));
}

Entry::~Entry() { DestroyValue(); }

void Entry::DestroyValue() {
  switch (type()) {
    case ValueType::kString:
      if (small_size_ == kHeapString) std::free(payload_as<HeapString>()->data);
      break;
    case ValueType::kHash:
      payload_as<HashValue>()->~HashValue();
      break;
    case ValueType::kZSet:
      payload_as<ZSetValue>()->~ZSetValue();
      break;
    case ValueType::kList:
      delete *payload_as<ListValue*>();
      break;
    case ValueType::kSet:
      delete *payload_as<SetValue*>();
      break;
    case ValueType::kStream:
      delete *payload_as<StreamValue*>();
      break;
  }
  set_type(ValueType::kString);
  small_size_ = 0;
}

std::optional<std::string_view> Entry::str() const {
  if (!is(ValueType::kString)) return std::nullopt;
  if (small_size_ == kHeapString) {
    const HeapString* h = payload_as<HeapString>();
    return std::string_view(h->data, h->size);
  }
  return std::string_view(reinterpret_cast<const char*>(payload_), small_size_);
}

void Entry::SetString(std::string_view value) {
  if (is(ValueType::kString) && small_size_ == kHeapString &&
      value.size() <= payload_as<HeapString>()->capacity && value.size() > sizeof(payload_)) {
    HeapString* h = payload_as<HeapString>();
    std::memmove(h->data, value.data(), value.size());
    h->size = static_cast<uint32_t>(value.size());
    return;
  }
  if (value.size() > sizeof(payload_)) {
    char* data = static_cast<char*>(std::malloc(value.size()));
    if (data == nullptr) throw std::bad_alloc();
    std::memcpy(data, value.data(), value.size());
    DestroyValue();
    new (payload_)
        HeapString{data, static_cast<uint32_t>(value.size()), static_cast<uint32_t>(value.size())};
    small_size_ = kHeapString;
    return;
  }
  std::string copy(value);  // `value` may be this entry's own bytes
  DestroyValue();
  std::memcpy(payload_, copy.data(), copy.size());
  small_size_ = static_cast<uint8_t>(copy.size());
}

void Entry::ReserveString(size_t size) {
  SB_CHECK(is(ValueType::kString), "not a string");
  SB_CHECK(size <= UINT32_MAX, "string too long");
  size_t current = str()->size();
  if (small_size_ == kHeapString && payload_as<HeapString>()->capacity >= size) return;
  // Grow geometrically so that repeated APPENDs copy O(n) bytes in all.
  size_t capacity = std::max<size_t>(size, current + current / 2);
  capacity = std::min<size_t>(capacity, UINT32_MAX);
  char* data = static_cast<char*>(std::malloc(capacity));
  if (data == nullptr) throw std::bad_alloc();
  std::string_view old = *str();
  std::memcpy(data, old.data(), old.size());
  DestroyValue();
  new (payload_) HeapString{data, static_cast<uint32_t>(current), static_cast<uint32_t>(capacity)};
  small_size_ = kHeapString;
}

void Entry::AppendString(std::string_view suffix) {
  size_t size = str()->size() + suffix.size();
  if (size <= sizeof(payload_)) {
    std::string joined(*str());
    joined.append(suffix);
    return SetString(joined);
  }
  ReserveString(size);
  HeapString* h = payload_as<HeapString>();
  std::memcpy(h->data + h->size, suffix.data(), suffix.size());
  h->size = static_cast<uint32_t>(size);
}

void Entry::WriteString(size_t offset, std::string_view bytes) {
  size_t end = offset + bytes.size();
  size_t size = std::max(str()->size(), end);
  if (size <= sizeof(payload_)) {
    std::string s(*str());
    if (s.size() < end) s.resize(end, '\0');
    s.replace(offset, bytes.size(), bytes);
    return SetString(s);
  }
  ReserveString(size);
  HeapString* h = payload_as<HeapString>();
  if (h->size < offset) std::memset(h->data + h->size, 0, offset - h->size);
  std::memcpy(h->data + offset, bytes.data(), bytes.size());
  h->size = static_cast<uint32_t>(size);
}

HashValue* Entry::MakeHash() {
  DestroyValue();
  set_type(ValueType::kHash);
  return new (payload_) HashValue();
}

ZSetValue* Entry::MakeZSet() {
  DestroyValue();
  set_type(ValueType::kZSet);
  return new (payload_) ZSetValue();
}

ListValue* Entry::MakeList() {
  auto* l = new ListValue();
  DestroyValue();
  set_type(ValueType::kList);
  new (payload_) ListValue*(l);
  return l;
}

SetValue* Entry::MakeSet() {
  auto* s = new SetValue();
  DestroyValue();
  set_type(ValueType::kSet);
  new (payload_) SetValue*(s);
  return s;
}

StreamValue* Entry::MakeStream() {
  auto* s = new StreamValue();
  DestroyValue();
  set_type(ValueType::kStream);
  new (payload_) StreamValue*(s);
  return s;
}

void Entry::MoveValueFrom(Entry& other) {
  if (&other == this) return;
  switch (other.type()) {
    case ValueType::kHash: {
      HashValue v(std::move(*other.hash()));
      other.DestroyValue();
      *MakeHash() = std::move(v);
      return;
    }
    case ValueType::kZSet: {
      ZSetValue v(std::move(*other.zset()));
      other.DestroyValue();
      *MakeZSet() = std::move(v);
      return;
    }
    case ValueType::kString:
    case ValueType::kList:
    case ValueType::kSet:
    case ValueType::kStream:
      // A HeapString, inline bytes or a container pointer: plain bytes, moved as such.
      DestroyValue();
      std::memcpy(payload_, other.payload_, sizeof(payload_));
      type_ = other.type_;
      small_size_ = other.small_size_;
      other.set_type(ValueType::kString);  // `other` no longer owns what the bytes point to
      other.small_size_ = 0;
      return;
  }
}

void Entry::CopyValueFrom(const Entry& other) {
  if (&other == this) return;
  switch (other.type()) {
    case ValueType::kString:
      SetString(*other.str());
      break;
    case ValueType::kHash: {
      HashValue copy(*other.hash());
      *MakeHash() = std::move(copy);
      break;
    }
    case ValueType::kZSet: {
      ZSetValue copy(*other.zset());
      *MakeZSet() = std::move(copy);
      break;
    }
    case ValueType::kList:
      *MakeList() = *other.list();
      break;
    case ValueType::kSet:
      *MakeSet() = *other.set();
      break;
    case ValueType::kStream:
      *MakeStream() = *other.stream();
      break;
  }
}

size_t Entry::value_heap_bytes() const {
  switch (type()) {
    case ValueType::kString:
      return small_size_ == kHeapString ? payload_as<HeapString>()->capacity : 0;
    case ValueType::kHash:
      return hash()->heap_bytes();
    case ValueType::kZSet:
      return zset()->heap_bytes();
    case ValueType::kList: {
      size_t bytes = sizeof(ListValue) + list()->capacity_bytes();
      for (const auto& s : *list()) bytes += s.size() > 15 ? s.capacity() + 1 : 0;
      return bytes;
    }
    case ValueType::kSet:
      return set()->heap_bytes();
    case ValueType::kStream:
      return stream()->heap_bytes();
  }
  return 0;
}

// ---- Db -----------------------------------------------------------------------------------

AccessClock& GlobalAccessClock() {
  static AccessClock clock;
  return clock;
}

Entry* Db::Find(std::string_view key, int64_t now_ms) {
  Entry* e = table_.FindAndStep(key);
  if (e == nullptr || e->expired(now_ms)) return nullptr;
  e->Touch(GlobalAccessClock());  // the one place an access is counted (reads and writes)
  return e;
}

const Entry* Db::Find(std::string_view key, int64_t now_ms) const {
  const Entry* e = table_.Find(key);
  return e == nullptr || e->expired(now_ms) ? nullptr : e;
}

Entry* Db::FindRaw(std::string_view key) { return table_.FindAndStep(key); }

Entry& Db::Upsert(std::string_view key) {
  if (Entry* e = table_.FindAndStep(key)) return *e;
  Entry* e = Entry::Create(key);
  e->access_clock_s_ = GlobalAccessClock().lru_clock_s;  // new: accessed now, counter at 5
  table_.Insert(e);
  return *e;
}

bool Db::InsertLoaded(Entry* entry, int64_t expire_at_ms) {
  if (!table_.InsertNew(entry)) return false;
  entry->access_clock_s_ = GlobalAccessClock().lru_clock_s;
  SetExpiry(entry->key(), *entry, expire_at_ms);
  return true;
}

size_t FreeEffort(const Entry& e) {
  switch (e.type()) {
    case ValueType::kString:
      return 1;
    case ValueType::kHash:
      return e.hash()->packed() ? 1 : e.hash()->size();
    case ValueType::kZSet:
      return e.zset()->packed() ? 1 : e.zset()->size();
    case ValueType::kList:
      return e.list()->size();
    case ValueType::kSet:
      return e.set()->size();
    case ValueType::kStream:
      return e.stream()->size();
  }
  return 1;
}

bool Db::Erase(std::string_view key) {
  EntryPtr e(table_.Unlink(key));
  if (e == nullptr) return false;
  if (e->expire_at_ms_ != 0) expiry_index_.erase({e->expire_at_ms_, std::string(key)});
  if (disposer_ != nullptr && FreeEffort(*e) > kLazyFreeEffortMin) {
    disposer_->Dispose(std::move(e));
  }
  return true;
}

void Db::ReleaseValue(Entry& e) {
  if (disposer_ == nullptr || FreeEffort(e) <= kLazyFreeEffortMin) return e.SetString({});
  // The value moves into a keyless node of its own (a few pointer copies), which the
  // disposer frees later; `e` stays in the table.
  EntryPtr holder(Entry::Create(""));
  holder->MoveValueFrom(e);
  disposer_->Dispose(std::move(holder));
}

void Db::Clear() {
  if (disposer_ == nullptr || table_.size() <= kLazyFreeEffortMin) {
    table_.Clear();
    expiry_index_.clear();
    return;
  }
  auto dropped = std::make_unique<DroppedKeys>();
  dropped->table = std::move(table_);
  dropped->expiry_index.swap(expiry_index_);
  disposer_->Dispose(std::move(dropped));
}

void Db::SetExpiry(std::string_view key, Entry& e, int64_t expire_at_ms) {
  if (e.expire_at_ms_ == expire_at_ms) return;
  if (e.expire_at_ms_ != 0) expiry_index_.erase({e.expire_at_ms_, std::string(key)});
  if (expire_at_ms != 0) expiry_index_.insert({expire_at_ms, std::string(key)});
  e.expire_at_ms_ = expire_at_ms;
}

size_t State::TotalKeys() const {
  size_t n = 0;
  for (const Db& d : dbs_) n += d.size();
  return n;
}

}  // namespace strongbox::state
