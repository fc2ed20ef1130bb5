// Packed stream nodes (see stream_entries.h for the byte layout).
#include "common/state/stream_entries.h"

#include <algorithm>

namespace strongbox::state {
namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

void AppendVarint(std::string* out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out->push_back(static_cast<char>((v & 0x7f) | 0x80));
  out->push_back(static_cast<char>(v));
}

uint64_t ReadVarint(const char** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    auto b = static_cast<uint8_t>(*(*p)++);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
}

// The forward varint's bytes reversed, so a reader standing after it can step back over it.
void AppendBackwardVarint(std::string* out, uint64_t v) {
  size_t at = out->size();
  AppendVarint(out, v);
  std::reverse(out->begin() + static_cast<std::ptrdiff_t>(at), out->end());
}

uint64_t ReadBackwardVarint(const char* end, size_t* bytes) {
  const char* p = end;
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    auto b = static_cast<uint8_t>(*--p);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  *bytes = static_cast<size_t>(end - p);
  return v;
}

std::string_view ReadString(const char** p) {
  size_t len = ReadVarint(p);
  std::string_view s(*p, len);
  *p += len;
  return s;
}

// One entry's header, decoded against its node's master ID.
struct EntryHead {
  uint8_t flags = 0;
  StreamId id;
  const char* strings = nullptr;  // after the ID (and the count, when present)
  uint32_t count = 0;             // strings, field and value both counted
  uint32_t next = 0;              // offset of the entry after it
};

EntryHead DecodeHead(std::string_view bytes, StreamId master, uint32_t offset) {
  EntryHead h;
  const char* p = bytes.data() + offset;
  h.flags = static_cast<uint8_t>(*p++);
  const char* body = p;
  size_t body_bytes = ReadVarint(&p);
  size_t head_bytes = 1 + static_cast<size_t>(p - body) + body_bytes;
  h.next = offset + static_cast<uint32_t>(head_bytes + VarintBytes(head_bytes));
  uint64_t ms_delta = ReadVarint(&p);
  uint64_t seq = ReadVarint(&p);
  h.id = StreamId{master.ms + ms_delta, ms_delta == 0 ? master.seq + seq : seq};
  if ((h.flags & kSameFields) != 0) {
    const char* names = bytes.data();
    h.count = static_cast<uint32_t>(2 * ReadVarint(&names));
  } else {
    h.count = static_cast<uint32_t>(ReadVarint(&p));
  }
  h.strings = p;
  return h;
}

// The offset of the entry before the one at `offset`.
uint32_t PreviousEntry(std::string_view bytes, uint32_t offset) {
  size_t back_bytes = 0;
  uint64_t head_bytes = ReadBackwardVarint(bytes.data() + offset, &back_bytes);
  return offset - static_cast<uint32_t>(back_bytes + head_bytes);
}

bool SameNames(std::string_view node_bytes, std::span<const std::string_view> fields) {
  const char* p = node_bytes.data();
  if (ReadVarint(&p) * 2 != fields.size()) return false;
  for (size_t i = 0; i < fields.size(); i += 2) {
    if (ReadString(&p) != fields[i]) return false;
  }
  return true;
}

}  // namespace

// --- FieldsView ---

std::string_view FieldsView::iterator::operator*() const {
  const char* p = names_ != nullptr && index_ % 2 == 0 ? names_ : data_;
  return ReadString(&p);
}

FieldsView::iterator& FieldsView::iterator::operator++() {
  ReadString(names_ != nullptr && index_ % 2 == 0 ? &names_ : &data_);
  ++index_;
  return *this;
}

FieldsView::iterator FieldsView::begin() const {
  iterator it;
  it.names_ = names_;
  it.data_ = data_;
  return it;
}

FieldsView::iterator FieldsView::end() const {
  iterator it;
  it.index_ = count_;
  return it;
}

std::string_view FieldsView::operator[](size_t i) const {
  auto it = begin();
  for (; i > 0; --i) ++it;
  return *it;
}

bool FieldsView::operator==(const std::vector<std::string>& other) const {
  return other.size() == size() && std::equal(begin(), end(), other.begin());
}

// --- Iteration ---

void StreamEntries::const_iterator::Load() {
  entry_ = StreamEntry{};
  if (nodes_ == nullptr || node_ == nodes_->end()) return;
  const Node& n = node_->second;
  EntryHead h = DecodeHead(n.bytes, node_->first, offset_);
  entry_.first = h.id;
  entry_.second.count_ = h.count;
  entry_.second.data_ = h.strings;
  if ((h.flags & kSameFields) != 0) {
    const char* names = n.bytes.data();
    ReadVarint(&names);
    entry_.second.names_ = names;
  }
}

bool StreamEntries::const_iterator::HasPrevious() const {
  if (nodes_ == nullptr || nodes_->empty()) return false;
  if (node_ != nodes_->begin()) return true;  // earlier nodes hold a live entry each
  const Node& n = node_->second;
  for (uint32_t at = offset_; at != n.first_entry;) {
    at = PreviousEntry(n.bytes, at);
    if ((static_cast<uint8_t>(n.bytes[at]) & kDeleted) == 0) return true;
  }
  return false;
}

StreamEntries::const_iterator& StreamEntries::const_iterator::operator++() {
  uint32_t next = DecodeHead(node_->second.bytes, node_->first, offset_).next;
  return *this = FirstLive(nodes_, node_, next);
}

StreamEntries::const_iterator& StreamEntries::const_iterator::operator--() {
  auto node = node_;
  uint32_t at = node == nodes_->end() ? 0 : offset_;
  for (;;) {
    if (node == nodes_->end() || at == node->second.first_entry) {
      --node;
      at = static_cast<uint32_t>(node->second.bytes.size());
    }
    at = PreviousEntry(node->second.bytes, at);
    if ((static_cast<uint8_t>(node->second.bytes[at]) & kDeleted) == 0) break;
  }
  node_ = node;
  offset_ = at;
  Load();
  return *this;
}

StreamEntries::const_iterator StreamEntries::FirstLive(const NodeMap* nodes,
                                                       NodeMap::const_iterator node,
                                                       uint32_t offset) {
  // Every node holds a live entry, so this stops within the next node at worst.
  while (node != nodes->end()) {
    const Node& n = node->second;
    for (; offset < n.bytes.size(); offset = DecodeHead(n.bytes, node->first, offset).next) {
      if ((static_cast<uint8_t>(n.bytes[offset]) & kDeleted) == 0) {
        return const_iterator(nodes, node, offset);
      }
    }
    if (++node != nodes->end()) offset = node->second.first_entry;
  }
  return const_iterator(nodes, nodes->end(), 0);
}

StreamEntries::const_iterator StreamEntries::FirstLiveIn(NodeMap::const_iterator node) const {
  if (node == nodes_.end()) return end();
  return FirstLive(&nodes_, node, node->second.first_entry);
}

StreamEntries::const_iterator StreamEntries::begin() const { return FirstLiveIn(nodes_.begin()); }

StreamEntries::const_reverse_iterator StreamEntries::rbegin() const {
  return const_reverse_iterator(end());
}

StreamEntries::const_reverse_iterator StreamEntries::rend() const {
  return const_reverse_iterator(begin());
}

StreamEntries::const_iterator StreamEntries::lower_bound(StreamId id) const {
  auto node = nodes_.upper_bound(id);
  if (node == nodes_.begin()) return FirstLiveIn(node);
  --node;  // the node that would hold `id`: later nodes start above it
  const Node& n = node->second;
  for (uint32_t at = n.first_entry; at < n.bytes.size();) {
    EntryHead h = DecodeHead(n.bytes, node->first, at);
    if ((h.flags & kDeleted) == 0 && h.id >= id) return const_iterator(&nodes_, node, at);
    at = h.next;
  }
  return FirstLiveIn(std::next(node));
}

StreamEntries::const_iterator StreamEntries::upper_bound(StreamId id) const {
  auto next = id.Next();
  return next ? lower_bound(*next) : end();
}

StreamEntries::const_iterator StreamEntries::find(StreamId id) const {
  auto it = lower_bound(id);
  return it != end() && it->first == id ? it : end();
}

// --- Changes ---

StreamEntries::Node& StreamEntries::NodeFor(StreamId id, size_t entry_bytes,
                                            std::span<const std::string_view> fields) {
  if (!nodes_.empty()) {
    Node& last = nodes_.rbegin()->second;
    if (last.total < kNodeMaxEntries && last.bytes.size() + entry_bytes < kNodeMaxBytes) {
      return last;
    }
    last.bytes.shrink_to_fit();  // sealed: no more appends
  }
  Node& n = nodes_[id];
  AppendVarint(&n.bytes, fields.size() / 2);
  for (size_t i = 0; i < fields.size(); i += 2) {
    AppendVarint(&n.bytes, fields[i].size());
    n.bytes.append(fields[i]);
  }
  n.first_entry = static_cast<uint32_t>(n.bytes.size());
  return n;
}

void StreamEntries::Append(StreamId id, std::span<const std::string_view> fields) {
  // XSETID may lower the last ID below flagged entries at the tail (live ones are all below
  // `id`, and a node of flagged entries only is gone): drop them to keep the node ordered.
  if (!nodes_.empty() && nodes_.rbegin()->second.last_id >= id) Compact(std::prev(nodes_.end()));
  size_t raw_bytes = 24;  // as Redis sizes an entry against the node limit: strings + overhead
  for (std::string_view f : fields) raw_bytes += f.size();
  Node& n = NodeFor(id, raw_bytes, fields);
  StreamId master = nodes_.rbegin()->first;
  bool same = SameNames(n.bytes, fields);
  std::string body;
  AppendVarint(&body, id.ms - master.ms);
  AppendVarint(&body, id.ms == master.ms ? id.seq - master.seq : id.seq);
  if (!same) AppendVarint(&body, fields.size());
  for (size_t i = same ? 1 : 0; i < fields.size(); i += same ? 2 : 1) {
    AppendVarint(&body, fields[i].size());
    body.append(fields[i]);
  }
  size_t start = n.bytes.size();
  n.bytes.push_back(static_cast<char>(same ? kSameFields : 0));
  AppendVarint(&n.bytes, body.size());
  n.bytes.append(body);
  AppendBackwardVarint(&n.bytes, n.bytes.size() - start);
  ++n.live;
  ++n.total;
  n.last_id = id;
  ++size_;
}

void StreamEntries::DropOrCompact(NodeMap::iterator node) {
  Node& n = node->second;
  if (n.live == 0) {
    nodes_.erase(node);
  } else if (n.live * 2 < n.total) {
    Compact(node);
  }
}

void StreamEntries::Compact(NodeMap::iterator node) {
  // Copies the live entries as they are: they stay relative to the same master.
  Node& n = node->second;
  std::string bytes = n.bytes.substr(0, n.first_entry);
  for (uint32_t at = n.first_entry; at < n.bytes.size();) {
    EntryHead h = DecodeHead(n.bytes, node->first, at);
    if ((h.flags & kDeleted) == 0) {
      bytes.append(n.bytes, at, h.next - at);
      n.last_id = h.id;
    }
    at = h.next;
  }
  n.bytes = std::move(bytes);
  n.total = n.live;
}

bool StreamEntries::Erase(StreamId id) {
  auto node = nodes_.upper_bound(id);
  if (node == nodes_.begin()) return false;
  --node;
  Node& n = node->second;
  for (uint32_t at = n.first_entry; at < n.bytes.size();) {
    EntryHead h = DecodeHead(n.bytes, node->first, at);
    if (h.id > id) return false;
    if (h.id == id) {
      if ((h.flags & kDeleted) != 0) return false;
      n.bytes[at] = static_cast<char>(h.flags | kDeleted);
      --n.live;
      --size_;
      DropOrCompact(node);
      return true;
    }
    at = h.next;
  }
  return false;
}

size_t StreamEntries::EraseThrough(StreamId bound) {
  size_t removed = 0;
  while (!nodes_.empty() && nodes_.begin()->second.last_id <= bound) {
    removed += nodes_.begin()->second.live;
    nodes_.erase(nodes_.begin());
  }
  if (!nodes_.empty()) {
    auto node = nodes_.begin();
    Node& n = node->second;
    for (uint32_t at = n.first_entry; at < n.bytes.size();) {
      EntryHead h = DecodeHead(n.bytes, node->first, at);
      if (h.id > bound) break;
      if ((h.flags & kDeleted) == 0) {
        n.bytes[at] = static_cast<char>(h.flags | kDeleted);
        --n.live;
        ++removed;
      }
      at = h.next;
    }
    DropOrCompact(node);
  }
  size_ -= removed;
  return removed;
}

// --- Positions ---

size_t StreamEntries::CountBelow(StreamId id) const {
  size_t n = 0;
  for (const auto& [master, node] : nodes_) {
    if (node.last_id < id) {
      n += node.live;
      continue;
    }
    for (uint32_t at = node.first_entry; at < node.bytes.size();) {
      EntryHead h = DecodeHead(node.bytes, master, at);
      if (h.id >= id) break;
      if ((h.flags & kDeleted) == 0) ++n;
      at = h.next;
    }
    break;
  }
  return n;
}

StreamId StreamEntries::IdAt(size_t index) const {
  for (const auto& [master, node] : nodes_) {
    if (index >= node.live) {
      index -= node.live;
      continue;
    }
    for (uint32_t at = node.first_entry;;) {
      EntryHead h = DecodeHead(node.bytes, master, at);
      if ((h.flags & kDeleted) == 0 && index-- == 0) return h.id;
      at = h.next;
    }
  }
  return StreamId{};
}

size_t StreamEntries::WholeHeadNodes(const std::function<bool(size_t, size_t, StreamId)>& take,
                                     StreamId* bound) const {
  size_t before = 0;
  for (auto node = nodes_.begin(); node != nodes_.end(); ++node) {
    const_iterator last = FirstLiveIn(std::next(node));
    --last;  // the node's last live entry
    StreamId last_live = last->first;
    if (!take(before, node->second.live, last_live)) break;
    before += node->second.live;
    *bound = last_live;
  }
  return before;
}

size_t StreamEntries::heap_bytes() const {
  // A red-black node is four words plus the key and the Node; SSO strings have no buffer.
  size_t bytes = 0;
  for (const auto& [master, node] : nodes_) {
    bytes += 32 + sizeof(master) + sizeof(node);
    if (node.bytes.capacity() > 15) bytes += node.bytes.capacity() + 1;
  }
  return bytes;
}

}  // namespace strongbox::state
