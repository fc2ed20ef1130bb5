// What INFO commandstats, errorstats, latencystats and the keyspace hit/miss counters report:
// filled by the dispatcher (calls, time, rejections, failures), by the reply writer (every error
// sent) and by the read lookup (LookupTyped); CONFIG RESETSTAT clears it all.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/commands/latency_histogram.h"
#include "engine/protocol/resp_writer.h"

namespace strongbox::engine {

struct CommandStat {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;  // refused before running (arity, NOAUTH, MISCONF, ...)
  uint64_t failed_calls = 0;    // ran and replied with an error
  LatencyHistogram latency;
};

class CommandStats final : public ErrorObserver {
 public:
  // Redis keeps at most this many error codes (ERRORSTATS_LIMIT): a script may invent codes.
  static constexpr size_t kErrorCodesMax = 128;

  CommandStats() = default;
  CommandStats(const CommandStats&) = delete;  // last_ points into this object's map
  CommandStats& operator=(const CommandStats&) = delete;

  void RecordCall(std::string_view command, int64_t duration_us, bool failed);
  void RecordRejected(std::string_view command);
  // ErrorObserver: one error reply written to a client, keyed by its first word ("ERR").
  void OnErrorReply(std::string_view message) override;
  // A typed lookup counts only while a read-only command runs (a write's lookup is Redis's
  // lookupKeyWrite: not a hit or a miss); true when it counted. RecordReadLookup is a lookup
  // its caller knows is a read (Redis's lookupKeyRead inside a write, e.g. GETDEL, COPY's source).
  void set_lookups_counted(bool counted) { lookups_counted_ = counted; }
  bool RecordLookup(bool hit) {
    if (lookups_counted_) RecordReadLookup(hit);
    return lookups_counted_;
  }
  void RecordReadLookup(bool hit) { ++(hit ? keyspace_hits_ : keyspace_misses_); }
  void ResetStats();

  const std::map<std::string, CommandStat, std::less<>>& commands() const { return commands_; }
  const std::map<std::string, uint64_t, std::less<>>& errors() const { return errors_; }
  uint64_t total_error_replies() const { return total_error_replies_; }
  uint64_t keyspace_hits() const { return keyspace_hits_; }
  uint64_t keyspace_misses() const { return keyspace_misses_; }

 private:
  CommandStat& Of(std::string_view command);

  std::map<std::string, CommandStat, std::less<>> commands_;
  // The last command's entry (map nodes never move): a pipeline of one command skips the
  // ordered lookup and its string compares.
  std::map<std::string, CommandStat, std::less<>>::iterator last_ = commands_.end();
  std::map<std::string, uint64_t, std::less<>> errors_;
  uint64_t total_error_replies_ = 0;
  uint64_t keyspace_hits_ = 0;
  uint64_t keyspace_misses_ = 0;
  bool lookups_counted_ = false;
};

}  // namespace strongbox::engine
