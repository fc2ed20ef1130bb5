// StreamEntries: a stream's entries in packed nodes, the layout Redis's radix tree of listpacks
// uses, so a small entry costs ~15 bytes instead of a map node, a vector and strings (~227).
//
// A node holds up to kNodeMaxEntries entries or about kNodeMaxBytes bytes. It is keyed in an
// ordered index (std::map: one map node per ~100 entries; not absl::btree, which corrupted
// memory with Debian's GCC 12 -O2) by its master ID, the ID of the first entry it received.
// Node bytes: the master field names ([varint count] then [varint len][bytes] each), then entries
//   [flags u8][varint body length][body][body length again as a backward varint]
//   body: [varint ms - master ms][varint seq, minus master seq when the ms are equal]
//         [varint string count, absent when kSameFields] then [varint len][bytes] per string:
//         values only when kSameFields (the names are the master's), else field, value, ...
// The trailing length lets iteration walk backwards (XREVRANGE) without decoding a node.
// XDEL flags an entry in place, as Redis does; a node is dropped when none of its entries is
// live and rewritten without the flagged ones when most of them are.
//
// The surface is map-like (find, lower_bound, begin, rbegin, it->first, it->second) so callers
// read it as they read a std::map<StreamId, Fields>. Iterators and FieldsViews point into node
// bytes: any change to the container invalidates them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/state/stream_id.h"

namespace strongbox::state {

// Redis's stream-node-max-entries and stream-node-max-bytes defaults.
inline constexpr size_t kNodeMaxEntries = 100;
inline constexpr size_t kNodeMaxBytes = 4096;

// One entry's strings, field, value, field, value..., viewed in place.
class FieldsView {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using reference = std::string_view;
    using pointer = void;
    std::string_view operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const { return index_ == o.index_; }

   private:
    friend class FieldsView;
    const char* names_ = nullptr;  // the next master field name; nullptr when not shared
    const char* data_ = nullptr;   // the next string of the entry itself
    uint32_t index_ = 0;
  };

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  iterator begin() const;
  iterator end() const;
  std::string_view operator[](size_t i) const;  // walks: fields are few
  bool operator==(const std::vector<std::string>& other) const;

 private:
  friend class StreamEntries;
  const char* names_ = nullptr;  // the master's names when the entry shares them
  const char* data_ = nullptr;
  uint32_t count_ = 0;
};

// What iterators yield: shaped as std::map's value_type so `it->first`, `it->second` and
// `auto [id, fields] = *it` read as they did.
struct StreamEntry {
  StreamId first;
  FieldsView second;
};

class StreamEntries {
  struct Node {
    std::string bytes;         // master field names, then entries (see above)
    uint32_t first_entry = 0;  // offset of the first entry, after the master field names
    uint32_t live = 0;         // entries not flagged deleted
    uint32_t total = 0;        // entries, flagged ones included
    StreamId last_id;          // the last entry's ID, flagged or not
  };
  using NodeMap = std::map<StreamId, Node>;

 public:
  // Bidirectional over live entries. The iterator holds the decoded entry it stands on (an ID
  // and a view), so `*it` and `it->second` live as long as the iterator does.
  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = StreamEntry;
    using difference_type = std::ptrdiff_t;
    using reference = const StreamEntry&;
    using pointer = const StreamEntry*;

    const_iterator() = default;
    const StreamEntry& operator*() const { return entry_; }
    const StreamEntry* operator->() const { return &entry_; }
    const_iterator& operator++();
    const_iterator& operator--();
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    const_iterator operator--(int) {
      const_iterator old = *this;
      --*this;
      return old;
    }
    bool operator==(const const_iterator& o) const {
      return node_ == o.node_ && offset_ == o.offset_;
    }
    // Whether a live entry comes before this position (false at begin()).
    bool HasPrevious() const;

   private:
    friend class StreamEntries;
    const_iterator(const NodeMap* nodes, NodeMap::const_iterator node, uint32_t offset)
        : nodes_(nodes), node_(node), offset_(offset) {
      Load();
    }
    void Load();  // decodes entry_ at the position (nothing at the end)

    const NodeMap* nodes_ = nullptr;
    NodeMap::const_iterator node_;
    uint32_t offset_ = 0;  // the entry's offset in node_'s bytes; 0 at end()
    StreamEntry entry_;
  };
  using iterator = const_iterator;
  // std::reverse_iterator dereferences a copy of its base, which would leave a dangling entry:
  // this one keeps the element's iterator (see the specialization below).
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_.size(); }
  size_t heap_bytes() const;

  const_iterator begin() const;
  const_iterator end() const { return const_iterator(&nodes_, nodes_.end(), 0); }
  const_reverse_iterator rbegin() const;
  const_reverse_iterator rend() const;
  const_iterator lower_bound(StreamId id) const;  // the first entry >= id
  const_iterator upper_bound(StreamId id) const;  // the first entry > id
  const_iterator find(StreamId id) const;
  size_t count(StreamId id) const { return find(id) != end() ? 1 : 0; }

  // Appends an entry; `id` must be above every live entry (the caller checks it against the
  // stream's last ID). `fields` is field, value, field, value...
  void Append(StreamId id, std::span<const std::string_view> fields);
  // Removes `id` if present.
  bool Erase(StreamId id);
  // Removes the entries with ID <= `bound`; returns how many went.
  size_t EraseThrough(StreamId bound);

  // Live entries with ID < `id` (walks node counts, then one node).
  size_t CountBelow(StreamId id) const;
  // The ID of the live entry at 0-based position `index` (< size()).
  StreamId IdAt(size_t index) const;
  // For `~` trims, which drop whole nodes only: walks nodes from the head while
  // `take(live entries before it, its live entries, its last live ID)` says yes; returns the
  // entries of the nodes taken and sets *bound to the last of their IDs.
  size_t WholeHeadNodes(const std::function<bool(size_t, size_t, StreamId)>& take,
                        StreamId* bound) const;

 private:
  // The first live entry at or after `offset` in `node`, else in the nodes after it.
  static const_iterator FirstLive(const NodeMap* nodes, NodeMap::const_iterator node,
                                  uint32_t offset);
  const_iterator FirstLiveIn(NodeMap::const_iterator node) const;
  Node& NodeFor(StreamId id, size_t entry_bytes, std::span<const std::string_view> fields);
  // Drops a node without live entries, compacts one of mostly flagged entries.
  void DropOrCompact(NodeMap::iterator node);
  void Compact(NodeMap::iterator node);  // rewrites the node without its flagged entries

  NodeMap nodes_;
  size_t size_ = 0;
};

}  // namespace strongbox::state

// std::reverse_iterator for StreamEntries, so std::make_reverse_iterator(it) and rbegin() both
// hold the iterator of the element they stand on rather than decode into a temporary. Same
// contract as the primary template: base() is one past the element.
template <>
class std::reverse_iterator<strongbox::state::StreamEntries::const_iterator> {
  using Base = strongbox::state::StreamEntries::const_iterator;

 public:
  using iterator_type = Base;
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = strongbox::state::StreamEntry;
  using difference_type = std::ptrdiff_t;
  using reference = const strongbox::state::StreamEntry&;
  using pointer = const strongbox::state::StreamEntry*;

  reverse_iterator() = default;
  explicit reverse_iterator(Base base) : base_(base), element_(base) {
    if (element_.HasPrevious()) --element_;
  }
  Base base() const { return base_; }
  reference operator*() const { return *element_; }
  pointer operator->() const { return &*element_; }
  reverse_iterator& operator++() {
    base_ = element_;
    if (element_.HasPrevious()) --element_;
    return *this;
  }
  reverse_iterator& operator--() {
    element_ = base_;
    ++base_;
    return *this;
  }
  reverse_iterator operator++(int) {
    reverse_iterator old = *this;
    ++*this;
    return old;
  }
  reverse_iterator operator--(int) {
    reverse_iterator old = *this;
    --*this;
    return old;
  }
  bool operator==(const reverse_iterator& o) const { return base_ == o.base_; }

 private:
  Base base_;     // one past the element, as std::reverse_iterator::base()
  Base element_;  // the element, when base_ has one before it
};
