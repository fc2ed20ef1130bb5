// Decoding one snapshot entry (snapshot.h has the layout) into a key node built off the table,
// and linking decoded nodes into a State: split so that decoding can run on worker threads
// while one thread inserts (parallel_load.h), with the same checks and errors as one thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/state/state.h"

namespace strongbox::state {

struct DecodedEntry {
  uint8_t db = 0;
  int64_t expire_at_ms = 0;
  // The node with its key and value; set as soon as the key parsed, so a damaged value still
  // names its key (a duplicate key is reported before a damaged value, as loading always did).
  EntryPtr node;
};

// Decodes `encoded` into *out. DataLoss "malformed snapshot entry" on damage.
absl::Status DecodeEntry(std::string_view encoded, DecodedEntry* out);

// Links a decoded entry into `state` (taking its node): `decoded` is DecodeEntry's status.
// DataLoss "duplicate key in snapshot" if the key is present, else `decoded` if it failed.
absl::Status InsertDecoded(State& state, DecodedEntry& entry, const absl::Status& decoded);

// Sizes each database's key table once while a snapshot of `entry_count` entries loads, so no
// key is moved by a resize: a database's table is sized for every entry not loaded yet when
// its first entry comes (snapshots hold the databases one after the other), and fitted to its
// real size when the next database starts and at the end. The count comes from the file: the
// reservation is capped, and a table past it just grows as usual.
class TableSizer {
 public:
  TableSizer(State& state, uint64_t entry_count) : state_(state), remaining_(entry_count) {}
  // Before inserting an entry of database `db`.
  void Before(uint8_t db);
  void Inserted() {
    if (remaining_ > 0) --remaining_;
  }
  // Fits every table sized here to its keys.
  void Finish();

 private:
  static constexpr uint64_t kReserveKeysMax = uint64_t{1} << 27;
  State& state_;
  uint64_t remaining_;
  int current_ = -1;
  std::bitset<kDatabaseCount> sized_;
};

// Inserts `entries` in order through `sizer`, asking for the key slots and chains a few
// entries ahead so that the cache misses of consecutive inserts overlap. `last_status` is
// DecodeEntry's status for the last entry (every other one decoded); the first error.
absl::Status InsertBatch(State& state, TableSizer& sizer, std::vector<DecodedEntry>& entries,
                         const absl::Status& last_status);

}  // namespace strongbox::state
