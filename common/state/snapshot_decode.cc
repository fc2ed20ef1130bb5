// Snapshot entry decoding into off-table nodes, and their insertion (see snapshot_decode.h).
#include "common/state/snapshot_decode.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/format/record_codec.h"
#include "common/state/stream_groups.h"

namespace strongbox::state {
namespace {

using format::GetU32;
using format::GetU64;

// Reads an encoded entry front to back; every read is false once the bytes run out.
class Cursor {
 public:
  explicit Cursor(std::string_view e) : e_(e) {}
  bool Take(size_t n, std::string_view* out) {
    if (e_.size() - pos_ < n) return false;
    *out = e_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool U32(uint32_t* v) {
    std::string_view b;
    if (!Take(4, &b)) return false;
    *v = GetU32(b.data());
    return true;
  }
  bool U64(uint64_t* v) {
    std::string_view b;
    if (!Take(8, &b)) return false;
    *v = GetU64(b.data());
    return true;
  }
  bool Bytes(std::string_view* out) {
    uint32_t len = 0;
    return U32(&len) && Take(len, out);
  }
  bool Id(StreamId* id) { return U64(&id->ms) && U64(&id->seq); }
  bool done() const { return pos_ == e_.size(); }

 private:
  std::string_view e_;
  size_t pos_ = 0;
};

// The consumer groups a version 3 stream appends; false on damage.
bool DecodeGroups(Cursor& in, StreamValue* st) {
  uint32_t group_count = 0;
  if (!in.U32(&group_count) || group_count == 0) return false;
  for (uint32_t i = 0; i < group_count; ++i) {
    std::string_view name;
    uint64_t entries_read = 0;
    uint32_t consumer_count = 0;
    if (!in.Bytes(&name)) return false;
    auto [it, inserted] = st->groups.GetOrCreate().by_name.try_emplace(std::string(name));
    StreamGroup& g = it->second;
    if (!inserted || !in.Id(&g.last_delivered_id) || !in.U64(&entries_read) ||
        !in.U32(&consumer_count)) {
      return false;
    }
    g.entries_read = static_cast<int64_t>(entries_read);
    if (g.entries_read < kEntriesReadUnknown) return false;
    for (uint32_t c = 0; c < consumer_count; ++c) {
      std::string_view consumer;
      uint64_t seen_ms = 0;
      if (!in.Bytes(&consumer) || !in.U64(&seen_ms)) return false;
      if (g.consumers.contains(consumer)) return false;
      g.TouchConsumer(consumer, static_cast<int64_t>(seen_ms));
    }
    uint32_t pending_count = 0;
    if (!in.U32(&pending_count)) return false;
    for (uint32_t p = 0; p < pending_count; ++p) {
      StreamId id;
      uint64_t time_ms = 0, count = 0;
      std::string_view consumer;
      if (!in.Id(&id) || !in.U64(&time_ms) || !in.U64(&count) || !in.Bytes(&consumer)) {
        return false;
      }
      if (!g.consumers.contains(consumer) || g.pel.contains(id)) return false;
      g.SetPending(id, consumer, static_cast<int64_t>(time_ms), count);
    }
  }
  return true;
}

// Reads a u32 count, hands it to `start`, then calls `item` (false: damage) that many times.
template <typename Start, typename Item>
bool ForEachItem(Cursor& in, Start start, Item item) {
  uint32_t count = 0;
  if (!in.U32(&count)) return false;
  start(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!item()) return false;
  }
  return true;
}

bool DecodeHash(Cursor& in, Entry& entry) {
  HashValue* h = entry.MakeHash();
  return ForEachItem(
      in, [](uint32_t) {},
      [&] {
        std::string_view f, v;
        if (!in.Bytes(&f) || !in.Bytes(&v)) return false;
        h->Set(f, v);
        return true;
      });
}

bool DecodeZSet(Cursor& in, Entry& entry) {
  ZSetValue* z = entry.MakeZSet();
  return ForEachItem(
      in, [](uint32_t) {},
      [&] {
        uint64_t bits = 0;
        std::string_view member;
        if (!in.U64(&bits) || !in.Bytes(&member)) return false;
        double score = std::bit_cast<double>(bits);
        if (std::isnan(score)) return false;
        z->Set(member, score);
        return true;
      });
}

// ForEachItem where an item is one length-prefixed string, handed to `add`.
template <typename Start, typename Add>
bool ForEachString(Cursor& in, Start start, Add add) {
  return ForEachItem(in, start, [&] {
    std::string_view b;
    if (!in.Bytes(&b)) return false;
    add(b);
    return true;
  });
}

bool DecodeSet(Cursor& in, Entry& entry) {
  SetValue* set = entry.MakeSet();
  auto reserve = [&](uint32_t count) { set->reserve(std::min<uint32_t>(count, 1 << 20)); };
  return ForEachString(in, reserve, [&](std::string_view m) { set->emplace(m); });
}

bool DecodeList(Cursor& in, Entry& entry) {
  ListValue* l = entry.MakeList();
  return ForEachString(
      in, [](uint32_t) {}, [&](std::string_view item) { l->emplace_back(item); });
}

bool DecodeStream(Cursor& in, Entry& entry) {
  StreamValue* st = entry.MakeStream();
  uint32_t count = 0;
  if (!in.Id(&st->last_id) || !in.Id(&st->max_deleted_id) || !in.U64(&st->entries_added) ||
      !in.U32(&count)) {
    return false;
  }
  std::vector<std::string_view> fields;  // views into the decompressed snapshot
  for (uint32_t i = 0; i < count; ++i) {
    StreamId id;
    uint32_t field_count = 0;
    if (!in.Id(&id) || !in.U32(&field_count)) return false;
    if (!st->entries.empty() && id <= st->entries.rbegin()->first) return false;
    if (id > st->last_id || field_count % 2 != 0) return false;
    fields.clear();
    for (uint32_t f = 0; f < field_count; ++f) {
      std::string_view b;
      if (!in.Bytes(&b)) return false;
      fields.push_back(b);
    }
    st->entries.Append(id, fields);
  }
  return in.done() || DecodeGroups(in, st);
}

bool DecodeValue(Cursor& in, uint8_t type, Entry& entry) {
  switch (type) {
    case static_cast<uint8_t>(ValueType::kString): {
      std::string_view v;
      if (!in.Bytes(&v)) return false;
      entry.SetString(v);
      return true;
    }
    case static_cast<uint8_t>(ValueType::kHash):
      return DecodeHash(in, entry);
    case static_cast<uint8_t>(ValueType::kZSet):
      return DecodeZSet(in, entry);
    case static_cast<uint8_t>(ValueType::kSet):
      return DecodeSet(in, entry);
    case static_cast<uint8_t>(ValueType::kList):
      return DecodeList(in, entry);
    case static_cast<uint8_t>(ValueType::kStream):
      return DecodeStream(in, entry);
    default:
      return false;
  }
}

}  // namespace

absl::Status DecodeEntry(std::string_view encoded, DecodedEntry* out) {
  auto bad = [] { return absl::DataLossError("malformed snapshot entry"); };
  Cursor in(encoded);
  std::string_view head, key;
  if (!in.Take(10, &head) || !in.Bytes(&key)) return bad();
  out->db = static_cast<uint8_t>(head[0]);
  out->expire_at_ms = static_cast<int64_t>(GetU64(head.data() + 2));
  if (out->db >= kDatabaseCount || out->expire_at_ms < 0) return bad();
  out->node.reset(Entry::Create(key));
  if (!DecodeValue(in, static_cast<uint8_t>(head[1]), *out->node) || !in.done()) return bad();
  return absl::OkStatus();
}

absl::Status InsertDecoded(State& state, DecodedEntry& entry, const absl::Status& decoded) {
  if (entry.node == nullptr) return decoded;
  auto duplicate = [] { return absl::DataLossError("duplicate key in snapshot"); };
  Db& d = state.db(entry.db);
  if (!decoded.ok()) return d.FindRaw(entry.node->key()) != nullptr ? duplicate() : decoded;
  if (!d.InsertLoaded(entry.node.get(), entry.expire_at_ms)) return duplicate();
  (void)entry.node.release();  // the table owns it now
  return absl::OkStatus();
}

void TableSizer::Before(uint8_t db) {
  if (db == current_) return;
  if (current_ >= 0) state_.db(current_).ResizeTo(state_.db(current_).size());
  current_ = db;
  if (sized_[db]) return;
  sized_[db] = true;
  Db& d = state_.db(db);
  d.ResizeTo(d.size() + std::min(remaining_, kReserveKeysMax));
}

void TableSizer::Finish() {
  for (int db = 0; db < kDatabaseCount; ++db) {
    if (sized_[static_cast<size_t>(db)]) state_.db(db).ResizeTo(state_.db(db).size());
  }
}

absl::Status InsertBatch(State& state, TableSizer& sizer, std::vector<DecodedEntry>& entries,
                         const absl::Status& last_status) {
  // How far ahead of the inserted entry the key's bucket slot is asked for, then the slot's
  // first node (by then the slot has arrived).
  constexpr size_t kSlotDistance = 8;
  constexpr size_t kChainDistance = 4;
  uint64_t hashes[kSlotDistance] = {};
  auto slot = [&](size_t i) {
    if (i < entries.size() && entries[i].node != nullptr) {
      hashes[i % kSlotDistance] = state.db(entries[i].db).PrefetchSlot(entries[i].node->key());
    }
  };
  for (size_t i = 0; i < kSlotDistance; ++i) slot(i);
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t ahead = i + kChainDistance;
    if (ahead < entries.size() && entries[ahead].node != nullptr) {
      state.db(entries[ahead].db).PrefetchChain(hashes[ahead % kSlotDistance]);
    }
    DecodedEntry& e = entries[i];
    if (e.node != nullptr) sizer.Before(e.db);
    bool last = i + 1 == entries.size();
    if (auto s = InsertDecoded(state, e, last ? last_status : absl::OkStatus()); !s.ok()) {
      return s;
    }
    sizer.Inserted();
    slot(i + kSlotDistance);
  }
  return entries.empty() ? last_status : absl::OkStatus();
}

}  // namespace strongbox::state
