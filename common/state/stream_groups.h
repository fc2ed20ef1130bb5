// Consumer groups of a stream (XGROUP, XREADGROUP, XACK, XCLAIM...), as Redis 7.0 keeps them: per
// group the last delivered ID, the logical read counter (`entries_read`, -1 when unknown), the
// pending entries list (PEL: delivered, not yet acknowledged) and the consumers, each with the
// IDs of the PEL it owns. Maps are ordered by byte order, as Redis's radix trees, so replies and
// snapshots list groups, consumers and pending IDs in Redis's order. Every change arrives as a
// logged effect with resolved values (times included), so replay rebuilds the same state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/state/stream.h"

namespace strongbox::state {

// Redis's SCG_INVALID_ENTRIES_READ.
inline constexpr int64_t kEntriesReadUnknown = -1;

struct PendingEntry {
  std::string consumer;
  int64_t delivery_time_ms = 0;
  uint64_t delivery_count = 0;
  bool operator==(const PendingEntry&) const = default;
};

struct StreamConsumer {
  int64_t seen_time_ms = 0;
  std::set<StreamId> pending;  // the IDs of the group's PEL this consumer owns
  bool operator==(const StreamConsumer&) const = default;
};

struct StreamGroup {
  StreamId last_delivered_id;
  int64_t entries_read = kEntriesReadUnknown;
  std::map<StreamId, PendingEntry> pel;
  std::map<std::string, StreamConsumer, std::less<>> consumers;
  bool operator==(const StreamGroup&) const = default;

  // Creates the consumer if missing; sets its seen time.
  StreamConsumer& TouchConsumer(std::string_view name, int64_t seen_time_ms);
  // Removes the consumer and its pending entries; returns how many pending entries it had.
  size_t DeleteConsumer(std::string_view name);
  // Gives `id` to `consumer` (which must exist) with these delivery figures, taking it from its
  // previous owner if it had one.
  void SetPending(StreamId id, std::string_view consumer, int64_t delivery_time_ms,
                  uint64_t delivery_count);
  // Acknowledges `id`; false if it was not pending.
  bool Ack(StreamId id);
};

struct StreamGroups {
  std::map<std::string, StreamGroup, std::less<>> by_name;
  bool operator==(const StreamGroups&) const = default;
};

// The group named `name` of `st`, or nullptr.
StreamGroup* FindGroup(StreamValue& st, std::string_view name);
const StreamGroup* FindGroup(const StreamValue& st, std::string_view name);
size_t GroupCount(const StreamValue& st);

// Redis 7.0's streamEstimateDistanceFromFirstEverEntry: the logical position of `id` in the
// stream's history (entries ever added up to it), or kEntriesReadUnknown.
int64_t EstimateEntriesRead(const StreamValue& st, StreamId id);
// Redis 7.0's streamRangeHasTombstones for [start, +inf): an XDEL'd ID may lie at or after start.
bool HasTombstonesFrom(const StreamValue& st, StreamId start);
// A group's entries_read (`entries_read` before) once it is handed `id` (above its last
// delivered ID), as Redis 7.0's streamReplyWithRange updates it.
int64_t EntriesReadAfterDelivering(const StreamValue& st, int64_t entries_read, StreamId id);
// XINFO GROUPS' `lag`: entries added but not yet delivered to the group, nullopt when unknown.
std::optional<int64_t> GroupLag(const StreamValue& st, const StreamGroup& g);

}  // namespace strongbox::state
