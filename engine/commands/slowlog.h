// The slow log (Redis's SLOWLOG): the most recent commands that ran for at least
// slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len of them. Each
// entry keeps a trimmed copy of the arguments so a flood of huge commands cannot grow memory.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strongbox::engine {

struct SlowlogEntry {
  uint64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> argv;  // trimmed (TrimSlowlogArgv)
  std::string peer;               // "ip:port"
  std::string client_name;
};

// Redis's limits: at most 32 arguments, the last standing for "... (N more arguments)", and at
// most 128 bytes of each, followed by "... (N more bytes)".
inline constexpr size_t kSlowlogArgsMax = 32;
inline constexpr size_t kSlowlogArgBytesMax = 128;
std::vector<std::string> TrimSlowlogArgv(std::span<const std::string_view> argv);

class SlowLog {
 public:
  // Defaults as Redis: 10 ms, 128 entries.
  static constexpr int64_t kDefaultSlowerThanUs = 10000;
  static constexpr int64_t kDefaultMaxLen = 128;

  // When logging is on (slower_than_us >= 0): adds the entry if duration_us reaches the
  // threshold, then drops the oldest entries beyond max_len. `entry.id` is assigned here.
  void MaybeAdd(int64_t duration_us, SlowlogEntry entry);
  bool WouldLog(int64_t duration_us) const {
    return slower_than_us_ >= 0 && duration_us >= slower_than_us_;
  }
  void Reset() { entries_.clear(); }

  const std::deque<SlowlogEntry>& entries() const { return entries_; }  // newest first
  uint64_t entries_added() const { return next_id_; }
  int64_t slower_than_us() const { return slower_than_us_; }
  int64_t max_len() const { return max_len_; }
  void set_slower_than_us(int64_t us) { slower_than_us_ = us; }
  // Like Redis, a smaller limit takes effect at the next command while logging is on.
  void set_max_len(int64_t n) { max_len_ = n; }

 private:
  std::deque<SlowlogEntry> entries_;
  uint64_t next_id_ = 0;  // ids keep counting across RESET, as in Redis
  int64_t slower_than_us_ = kDefaultSlowerThanUs;
  int64_t max_len_ = kDefaultMaxLen;
};

}  // namespace strongbox::engine
