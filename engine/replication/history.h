// The identity of a log's history (Redis's replication ID, extended): 40 hex digits, the data
// set's 32 then 8 of a term that changes when a replica is promoted. A node keeps its current
// history and the one before it with the last LSN that history reached (Redis's replid2 and
// second_replid_offset), in replication.id, so a replica of the old history may continue after
// a failover only when its log is a prefix of the new one. A log that went past the switch
// point diverged: it is never continued (full resync).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"

namespace strongbox::engine::replication {

inline constexpr std::string_view kHistoryFile = "replication.id";
inline constexpr size_t kHistoryIdChars = 40;

struct History {
  std::string id;                  // current history, 40 hex
  std::string previous_id;         // "" when none
  uint64_t previous_lsn_last = 0;  // the last LSN of previous_id's log kept in this one
};

// The history a directory has had since its data set was created without replication.id:
// the data set's id and the FNV-1a hash of it (the master_replid INFO always showed).
History InitialHistory(const format::DatasetId& dataset);
// replication.id, or InitialHistory when there is none.
absl::StatusOr<History> LoadHistory(io::FileSystem& fs, const std::string& dir,
                                    const format::DatasetId& dataset);
// tmp → fsync → rename → fsync directory.
absl::Status SaveHistory(io::FileSystem& fs, const std::string& dir, const History& history);

// A promotion: a new random term, the current history kept as the previous one up to
// `lsn_last`.
History NewTerm(const History& current, uint64_t lsn_last);
// The replica switches to `new_id` (its primary was promoted) at `lsn_last`.
History Follow(const History& current, std::string_view new_id, uint64_t lsn_last);

// PSYNC: may a replica whose log is history `id` up to `next_lsn - 1` continue from this
// node's log, which holds LSNs up to `lsn_last`?
bool CanContinue(const History& mine, std::string_view id, uint64_t next_lsn, uint64_t lsn_last);

// The data-set half of a history id (false if `id` is not 40 hex digits).
bool DatasetOfHistory(std::string_view id, format::DatasetId* dataset);

}  // namespace strongbox::engine::replication
