// The stream value (XADD and friends): entries ordered by ID, each a list of field/value pairs,
// in packed nodes (stream_entries.h), plus the bookkeeping Redis keeps beside them (last
// generated ID, entries ever added, the largest deleted ID). Consumer groups will hang off this
// value too (not yet held).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/state/stream_entries.h"
#include "common/state/stream_groups_holder.h"
#include "common/state/stream_id.h"

namespace strongbox::state {

struct StreamValue {
  // field, value, field, value... (a view into the packed node)
  using Fields = FieldsView;
  StreamEntries entries;
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
