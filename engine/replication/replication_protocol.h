// The replication wire protocol over RESP (docs/format.md "Replication"), the parts both ends
// share: the primary's PSYNC answers and stream items, and the replica's checks of what it
// receives. Pure functions, no I/O.
//   replica → primary:  [AUTH ...] REPLCONF listening-port <port>, REPLCONF capa strongbox,
//                       PSYNC <history-id> <next-lsn>, then REPLCONF ACK <durable-lsn> repeatedly
//   primary → replica:  +CONTINUE <history-id>                 records from next-lsn follow
//                       +FULLRESYNC <history-id> <lsn>         then $<n> snapshot bytes CRLF
//                                                              (n = 0: the empty state), then
//                                                              records from lsn + 1
//   stream items:       $<n> CRLF <whole records, segment record format> CRLF
//                       +PING CRLF                             heartbeat while idle (also
//                                                              before a full resync's bulk)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strongbox::engine::replication {

struct PsyncReply {
  enum Kind { kContinue, kFullResync } kind = kContinue;
  std::string history_id;
  uint64_t lsn = 0;  // kFullResync: the snapshot's LSN
};

std::string ContinueLine(std::string_view history_id);
std::string FullResyncLine(std::string_view history_id, uint64_t lsn);
std::string BulkHeader(uint64_t bytes);
inline constexpr std::string_view kPingLine = "+PING\r\n";

// A PSYNC answer line without its CRLF ("+CONTINUE id", "+FULLRESYNC id lsn"); an error line
// ("-NOAUTH ...") comes back as the error with its text.
absl::StatusOr<PsyncReply> ParsePsyncReply(std::string_view line);
// "$<n>" without CRLF → n (bounded by `max_bytes`).
absl::StatusOr<uint64_t> ParseBulkHeader(std::string_view line, uint64_t max_bytes);

struct RecordRun {
  uint64_t lsn_last = 0;
  uint64_t records = 0;
};
// Checks that `bytes` holds whole data records with good checksums whose LSNs run on from
// `next_lsn`; DataLoss naming the first problem otherwise.
absl::StatusOr<RecordRun> CheckRecords(std::string_view bytes, uint64_t next_lsn);

// PSYNC's arguments: the history id (40 hex or "?") and the next LSN.
absl::Status ParsePsyncArgs(std::string_view id, std::string_view lsn, uint64_t* next_lsn);

}  // namespace strongbox::engine::replication
