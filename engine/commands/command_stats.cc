// Command, error and keyspace statistics (see command_stats.h).
#include "engine/commands/command_stats.h"

namespace strongbox::engine {

CommandStat& CommandStats::Of(std::string_view command) {
  if (last_ != commands_.end() && last_->first == command) return last_->second;
  auto it = commands_.find(command);
  if (it == commands_.end()) it = commands_.emplace(std::string(command), CommandStat{}).first;
  last_ = it;
  return it->second;
}

void CommandStats::RecordCall(std::string_view command, int64_t duration_us, bool failed) {
  CommandStat& stat = Of(command);
  ++stat.calls;
  stat.usec += duration_us > 0 ? static_cast<uint64_t>(duration_us) : 0;
  if (failed) ++stat.failed_calls;
  stat.latency.Record(duration_us);
}

void CommandStats::RecordRejected(std::string_view command) { ++Of(command).rejected_calls; }

void CommandStats::OnErrorReply(std::string_view message) {
  ++total_error_replies_;
  std::string_view code = message.substr(0, message.find(' '));
  auto it = errors_.find(code);
  if (it != errors_.end()) {
    ++it->second;
  } else if (errors_.size() < kErrorCodesMax) {
    errors_.emplace(std::string(code), 1);
  }
}

void CommandStats::ResetStats() {
  commands_.clear();
  last_ = commands_.end();
  errors_.clear();
  total_error_replies_ = 0;
  keyspace_hits_ = 0;
  keyspace_misses_ = 0;
}

}  // namespace strongbox::engine
