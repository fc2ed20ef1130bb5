// Streams in RDB (STREAM_LISTPACKS, _2, _3): a radix tree of listpack nodes keyed by each node's
// master ID, then the stream's metadata and its consumer groups. Layout of a node's listpack
// (Redis's t_stream.c): count, deleted, master field count, master fields..., 0, then per entry
// flags, ms-diff, seq-diff, [values of the master fields | field count, field, value...],
// lp-count.
#include <charconv>
#include <set>

#include "common/rdb/packed_formats.h"
#include "common/rdb/rdb_value.h"
#include "common/rdb/rdb_writer.h"
#include "common/state/stream_groups.h"

namespace strongbox::rdb {
namespace {

using state::StreamId;

constexpr int64_t kFlagDeleted = 1;
constexpr int64_t kFlagSameFields = 2;
constexpr size_t kEntriesPerNode = 100;  // Redis's stream-node-max-entries
constexpr size_t kStreamIdBytes = 16;

absl::Status Damaged(std::string_view why) {
  return absl::DataLossError("Bad data format: stream " + std::string(why));
}

// Walks one node's listpack elements.
class NodeCursor {
 public:
  explicit NodeCursor(const std::vector<std::string>& items) : items_(items) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= items_.size(); }
  const std::string& Next() {
    static const std::string kEmpty;
    if (done()) return ok_ = false, kEmpty;
    return items_[pos_++];
  }
  int64_t NextInt() {
    const std::string& s = Next();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) ok_ = false;
    return v;
  }
  // A count of items that must still follow, each at least `width` elements.
  size_t NextCount(size_t width) {
    int64_t n = NextInt();
    if (n < 0 || static_cast<uint64_t>(n) > (items_.size() - pos_) / width) ok_ = false;
    return ok_ ? static_cast<size_t>(n) : 0;
  }

 private:
  const std::vector<std::string>& items_;
  size_t pos_ = 0;
  bool ok_ = true;
};

absl::Status DecodeNode(std::string_view node_key, const std::vector<std::string>& items,
                        state::StreamValue* st) {
  if (node_key.size() != kStreamIdBytes) return Damaged("node key is not an ID");
  Reader key_reader(node_key);
  StreamId master{key_reader.U64BE(), key_reader.U64BE()};
  NodeCursor c(items);
  c.NextInt();  // live entries
  c.NextInt();  // deleted entries
  size_t master_count = c.NextCount(1);
  std::vector<std::string> master_fields;
  for (size_t i = 0; i < master_count && c.ok(); ++i) master_fields.push_back(c.Next());
  if (c.NextInt() != 0) return Damaged("master entry terminator");
  while (c.ok() && !c.done()) {
    int64_t flags = c.NextInt();
    StreamId id{master.ms + static_cast<uint64_t>(c.NextInt()),
                master.seq + static_cast<uint64_t>(c.NextInt())};
    std::vector<std::string> fields;
    if (flags & kFlagSameFields) {
      for (size_t i = 0; i < master_fields.size() && c.ok(); ++i) {
        fields.push_back(master_fields[i]);
        fields.push_back(c.Next());
      }
    } else {
      size_t count = c.NextCount(2);
      for (size_t i = 0; i < 2 * count && c.ok(); ++i) fields.push_back(c.Next());
    }
    c.NextInt();  // lp-count, for walking backwards
    if (!c.ok()) break;
    if (flags & kFlagDeleted) continue;
    if (fields.empty()) return Damaged("entry without fields");
    if (id == StreamId{} || (!st->entries.empty() && id <= st->entries.rbegin()->first)) {
      return Damaged("entry IDs do not ascend");
    }
    std::vector<std::string_view> views(fields.begin(), fields.end());
    st->entries.Append(id, views);
  }
  return c.ok() ? absl::OkStatus() : Damaged("node listpack");
}

StreamId ReadId(Reader& r) {
  uint64_t ms = r.Length();
  return {ms, r.Length()};
}

// One group's global PEL: ID (16 bytes big-endian), delivery time (8 bytes), delivery count.
// Owners are filled in by the consumers that follow.
bool DecodePel(Reader& r, state::StreamGroup* g) {
  uint64_t pending = r.Count(kStreamIdBytes + 9);
  for (uint64_t i = 0; i < pending && r.ok(); ++i) {
    StreamId id{r.U64BE(), r.U64BE()};
    int64_t delivery_time_ms = r.MillisLE();
    uint64_t delivery_count = r.Length();
    if (!r.ok()) break;
    if (!g->pel.try_emplace(id, state::PendingEntry{"", delivery_time_ms, delivery_count}).second) {
      return r.Fail("duplicate global PEL entry");
    }
  }
  return r.ok();
}

// A group's consumers, each with the IDs of the global PEL it owns (rdbLoadObject checks each
// against the global PEL; the engine also needs every pending entry to have exactly one owner).
bool DecodeConsumers(uint8_t rdb_type, Reader& r, state::StreamGroup* g) {
  std::set<StreamId> owned_ids;  // a consumer may be named "": PendingEntry::consumer can't tell
  uint64_t consumers = r.Count(10);
  for (uint64_t i = 0; i < consumers && r.ok(); ++i) {
    std::string name = r.String();
    int64_t seen_time_ms = r.MillisLE();
    if (rdb_type >= kTypeStreamListpacks3) r.MillisLE();  // active time: Redis 7.2's
    if (!r.ok()) break;
    if (g->consumers.contains(name)) return r.Fail("duplicate consumer");
    state::StreamConsumer& c = g->consumers[name];
    c.seen_time_ms = seen_time_ms;
    uint64_t owned = r.Count(kStreamIdBytes);
    for (uint64_t j = 0; j < owned && r.ok(); ++j) {
      StreamId id{r.U64BE(), r.U64BE()};
      auto it = g->pel.find(id);
      if (it == g->pel.end()) return r.Fail("consumer PEL entry not in the group's PEL");
      if (!owned_ids.insert(id).second) return r.Fail("PEL entry owned twice");
      it->second.consumer = name;
      c.pending.insert(id);
    }
  }
  if (r.ok() && owned_ids.size() != g->pel.size()) return r.Fail("PEL entry without a consumer");
  return r.ok();
}

bool DecodeGroups(uint8_t rdb_type, Reader& r, state::StreamValue* st) {
  uint64_t groups = r.Count(3);
  for (uint64_t i = 0; i < groups && r.ok(); ++i) {
    std::string name = r.String();
    StreamId last_delivered = ReadId(r);
    int64_t entries_read = rdb_type >= kTypeStreamListpacks2
                               ? static_cast<int64_t>(r.Length())
                               : state::EstimateEntriesRead(*st, last_delivered);
    if (!r.ok()) break;
    // Newer Redis versions check this too: a read counter past the stream's history is damage.
    if (entries_read < state::kEntriesReadUnknown ||
        (entries_read != state::kEntriesReadUnknown &&
         static_cast<uint64_t>(entries_read) > st->entries_added)) {
      return r.Fail("group entries_read inconsistent with entries_added");
    }
    auto [it, inserted] = st->groups.GetOrCreate().by_name.try_emplace(name);
    if (!inserted) return r.Fail("duplicate consumer group");
    state::StreamGroup& g = it->second;
    g.last_delivered_id = last_delivered;
    g.entries_read = entries_read;
    if (!DecodePel(r, &g) || !DecodeConsumers(rdb_type, r, &g)) break;
  }
  return r.ok();
}

void AppendStreamId(StreamId id, std::string* out) {
  AppendLength(id.ms, out);
  AppendLength(id.seq, out);
}

// An ID as Redis keys its radix trees: ms then seq, 8 bytes big-endian each.
std::string NodeKey(StreamId id) {
  std::string key;
  for (uint64_t part : {id.ms, id.seq}) {
    for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((part >> (8 * i)) & 0xff));
  }
  return key;
}

// One node: the entries [first, last) with the first entry's field names as master fields.
template <typename It>
std::string EncodeNode(It first, It last, size_t count) {
  const StreamId master = first->first;
  std::vector<std::string_view> master_fields;
  for (size_t i = 0; i < first->second.size(); i += 2) master_fields.push_back(first->second[i]);
  ListpackWriter lp;
  lp.AddInt(static_cast<int64_t>(count));
  lp.AddInt(0);
  lp.AddInt(static_cast<int64_t>(master_fields.size()));
  for (std::string_view f : master_fields) lp.AddString(f);
  lp.AddInt(0);
  for (It it = first; it != last; ++it) {
    const auto& fields = it->second;
    bool same = fields.size() == 2 * master_fields.size();
    for (size_t i = 0; same && i < master_fields.size(); ++i)
      same = fields[2 * i] == master_fields[i];
    lp.AddInt(same ? kFlagSameFields : 0);
    lp.AddInt(static_cast<int64_t>(it->first.ms - master.ms));
    lp.AddInt(static_cast<int64_t>(it->first.seq - master.seq));
    size_t pairs = fields.size() / 2;
    if (same) {
      for (size_t i = 0; i < pairs; ++i) lp.AddString(fields[2 * i + 1]);
    } else {
      lp.AddInt(static_cast<int64_t>(pairs));
      for (std::string_view s : fields) lp.AddString(s);
    }
    lp.AddInt(static_cast<int64_t>(same ? pairs + 3 : 2 * pairs + 4));
  }
  return lp.Finish();
}

// STREAM_LISTPACKS_2's groups: name, last delivered ID, entries_read (-1 as a 64-bit length,
// as rdbSaveLen writes it), the global PEL, then the consumers with the IDs they own.
void EncodeGroups(const state::StreamValue& st, std::string* out) {
  const state::StreamGroups* groups = st.groups.get();
  AppendLength(groups == nullptr ? 0 : groups->by_name.size(), out);
  if (groups == nullptr) return;
  for (const auto& [name, g] : groups->by_name) {
    AppendString(name, out);
    AppendStreamId(g.last_delivered_id, out);
    AppendLength(static_cast<uint64_t>(g.entries_read), out);
    AppendLength(g.pel.size(), out);
    for (const auto& [id, p] : g.pel) {
      out->append(NodeKey(id));
      AppendU64LE(static_cast<uint64_t>(p.delivery_time_ms), out);
      AppendLength(p.delivery_count, out);
    }
    AppendLength(g.consumers.size(), out);
    for (const auto& [consumer, c] : g.consumers) {
      AppendString(consumer, out);
      AppendU64LE(static_cast<uint64_t>(c.seen_time_ms), out);
      AppendLength(c.pending.size(), out);
      for (StreamId id : c.pending) out->append(NodeKey(id));
    }
  }
}

}  // namespace

absl::Status DecodeStream(uint8_t rdb_type, Reader& r, Value* v) {
  v->type = state::ValueType::kStream;
  state::StreamValue& st = v->stream;
  uint64_t nodes = r.Count(2);
  for (uint64_t i = 0; i < nodes && r.ok(); ++i) {
    std::string node_key = r.String();
    std::string blob = r.String();
    if (!r.ok()) break;
    auto items = DecodeListpack(blob);
    if (!items.ok()) return items.status();
    if (items->empty()) return Damaged("empty node");
    if (absl::Status s = DecodeNode(node_key, *items, &st); !s.ok()) return s;
  }
  r.Length();  // the length: recomputed from the entries
  st.last_id = ReadId(r);
  if (rdb_type >= kTypeStreamListpacks2) {
    ReadId(r);  // first ID: recomputed
    st.max_deleted_id = ReadId(r);
    st.entries_added = r.Length();
  } else {
    st.entries_added = st.entries.size();
  }
  if (!DecodeGroups(rdb_type, r, &st)) return Damaged(r.error());
  if (!st.entries.empty() && st.entries.rbegin()->first > st.last_id) {
    return Damaged("last ID below an entry");
  }
  return absl::OkStatus();
}

void EncodeStream(const state::StreamValue& st, std::string* out) {
  size_t nodes = (st.entries.size() + kEntriesPerNode - 1) / kEntriesPerNode;
  AppendLength(nodes, out);
  auto it = st.entries.begin();
  while (it != st.entries.end()) {
    auto node_end = it;
    size_t count = 0;
    while (node_end != st.entries.end() && count < kEntriesPerNode) ++node_end, ++count;
    AppendString(NodeKey(it->first), out);
    AppendString(EncodeNode(it, node_end, count), out);
    it = node_end;
  }
  AppendLength(st.entries.size(), out);
  AppendStreamId(st.last_id, out);
  AppendStreamId(st.entries.empty() ? StreamId{} : st.entries.begin()->first, out);
  AppendStreamId(st.max_deleted_id, out);
  AppendLength(st.entries_added, out);
  EncodeGroups(st, out);
}

void EmitStreamGroups(std::string_view key, const state::StreamValue& st,
                      absl::FunctionRef<void(std::span<const std::string_view>)> emit) {
  constexpr size_t kPendingPerEffect = 128;
  const state::StreamGroups* groups = st.groups.get();
  if (groups == nullptr) return;
  for (const auto& [name, g] : groups->by_name) {
    std::string last = g.last_delivered_id.ToString();
    std::string entries_read = std::to_string(g.entries_read);
    emit(std::vector<std::string_view>{"XGROUPCREATE", key, name, last, entries_read});
    for (const auto& [consumer, c] : g.consumers) {
      std::string seen = std::to_string(c.seen_time_ms);
      emit(std::vector<std::string_view>{"XCONSUMER", key, name, consumer, seen});
      // Three texts per pending entry, kept alive while the effect's views point at them.
      std::vector<std::string> texts;
      for (auto it = c.pending.begin(); it != c.pending.end();) {
        texts.clear();
        for (size_t n = 0; n < kPendingPerEffect && it != c.pending.end(); ++n, ++it) {
          const state::PendingEntry& p = g.pel.at(*it);
          texts.push_back(it->ToString());
          texts.push_back(std::to_string(p.delivery_time_ms));
          texts.push_back(std::to_string(p.delivery_count));
        }
        std::vector<std::string_view> argv{"XPEL", key, name, consumer};
        argv.insert(argv.end(), texts.begin(), texts.end());
        emit(argv);
      }
    }
  }
}

}  // namespace strongbox::rdb
