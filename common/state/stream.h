// The stream value (XADD and friends): entries ordered by ID, each a list of field/value pairs,
// plus the bookkeeping Redis keeps beside them (last generated ID, entries ever added, the
// largest deleted ID). A std::map for a first cut: std::map rather than absl::btree_map because
// Debian's absl btree corrupted memory with GCC 12 -O2 (see ZSetValue::Big); a compact layout of
// packed nodes comes later. Consumer groups will hang off this value too (not yet held).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/state/stream_groups_holder.h"

namespace strongbox::state {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  std::string ToString() const;
  // The next ID after this one; nullopt past UINT64_MAX-UINT64_MAX.
  std::optional<StreamId> Next() const;
};

// "ms-seq" or "ms" (seq = missing_seq), both parts decimal u64 as Redis's string2ull reads them.
std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq);
// Exactly "ms-seq" (the log's and snapshots' form).
std::optional<StreamId> ParseExactStreamId(std::string_view s);

struct StreamValue {
  // field, value, field, value...
  using Fields = std::vector<std::string>;
  std::map<StreamId, Fields> entries;
  StreamId last_id;
  StreamId max_deleted_id;
  uint64_t entries_added = 0;
  // Consumer groups (stream_groups.h).
  StreamGroupsHolder groups;

  size_t size() const { return entries.size(); }
  // Removes the entries with ID <= `bound`; returns how many went. Redis's trim leaves
  // max_deleted_id alone (only XDEL moves it).
  size_t EraseThrough(StreamId bound);
  // XDEL: removes `id` if present, moving max_deleted_id up.
  bool Erase(StreamId id);
  size_t heap_bytes() const;
};

}  // namespace strongbox::state
