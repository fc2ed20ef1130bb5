// Formatting and parsing of the replication protocol's lines and record runs.
#include "engine/replication/replication_protocol.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/format/record_codec.h"

namespace strongbox::engine::replication {

std::string ContinueLine(std::string_view history_id) {
  return absl::StrCat("+CONTINUE ", std::string(history_id), "\r\n");
}

std::string FullResyncLine(std::string_view history_id, uint64_t lsn) {
  return absl::StrCat("+FULLRESYNC ", std::string(history_id), " ", lsn, "\r\n");
}

std::string BulkHeader(uint64_t bytes) { return absl::StrCat("$", bytes, "\r\n"); }

absl::StatusOr<PsyncReply> ParsePsyncReply(std::string_view line) {
  if (line.starts_with("-")) return absl::FailedPreconditionError(std::string(line.substr(1)));
  std::vector<std::string> words = absl::StrSplit(std::string(line), ' ', absl::SkipEmpty());
  PsyncReply reply;
  if (words.size() == 2 && words[0] == "+CONTINUE") {
    reply.kind = PsyncReply::kContinue;
    reply.history_id = words[1];
    return reply;
  }
  if (words.size() == 3 && words[0] == "+FULLRESYNC" && absl::SimpleAtoi(words[2], &reply.lsn)) {
    reply.kind = PsyncReply::kFullResync;
    reply.history_id = words[1];
    return reply;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unexpected answer to PSYNC: '", std::string(line.substr(0, 80)), "'"));
}

absl::StatusOr<uint64_t> ParseBulkHeader(std::string_view line, uint64_t max_bytes) {
  uint64_t n = 0;
  if (line.size() < 2 || line[0] != '$' || !absl::SimpleAtoi(std::string(line.substr(1)), &n) ||
      n > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("expected a bulk of at most ", max_bytes,
                                                   " bytes, got '", std::string(line.substr(0, 40)),
                                                   "'"));
  }
  return n;
}

absl::StatusOr<RecordRun> CheckRecords(std::string_view bytes, uint64_t next_lsn) {
  RecordRun run{next_lsn - 1, 0};
  size_t pos = 0;
  while (pos < bytes.size()) {
    format::RecordView r;
    format::DecodeResult d = format::DecodeRecord(bytes.substr(pos), &r);
    if (d != format::DecodeResult::kOk || r.type != format::RecordType::kData) {
      return absl::DataLossError(absl::StrCat("record after LSN ", run.lsn_last,
                                              " is damaged (decode result ", static_cast<int>(d),
                                              ")"));
    }
    if (r.lsn != run.lsn_last + 1) {
      return absl::DataLossError(
          absl::StrCat("record LSN ", r.lsn, " where ", run.lsn_last + 1, " was expected"));
    }
    run.lsn_last = r.lsn;
    ++run.records;
    pos += r.total_bytes;
  }
  return run;
}

absl::Status ParsePsyncArgs(std::string_view id, std::string_view lsn, uint64_t* next_lsn) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(std::string(lsn), &value))
    return absl::InvalidArgumentError("ERR value is not an integer or out of range");
  *next_lsn = value < 0 ? 0 : static_cast<uint64_t>(value);
  if (id != "?" && id.size() != 40) *next_lsn = 0;  // unknown history: full resync
  return absl::OkStatus();
}

}  // namespace strongbox::engine::replication
