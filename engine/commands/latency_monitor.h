// The latency monitor (Redis's LATENCY): per event ("command", "fast-command", "loop-turn",
// "fsync"), the last 160 samples of at least latency-monitor-threshold ms, one per second (the
// worst of that second), and the worst ever seen. Off while the threshold is 0.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strongbox::engine {

struct LatencySample {
  int64_t unix_time_s = 0;  // 0 = empty slot
  int64_t latency_ms = 0;
};

class LatencySeries {
 public:
  static constexpr size_t kSamples = 160;  // as Redis's LATENCY_TS_LEN

  void Add(int64_t unix_time_s, int64_t latency_ms);
  const LatencySample& latest() const { return samples_[(next_ + kSamples - 1) % kSamples]; }
  int64_t max_ms() const { return max_ms_; }
  // Oldest first, empty slots left out.
  std::vector<LatencySample> History() const;

 private:
  std::array<LatencySample, kSamples> samples_{};
  size_t next_ = 0;  // the slot the next second's sample goes to
  int64_t max_ms_ = 0;
};

class LatencyMonitor {
 public:
  // Records the sample when monitoring is on and latency_ms reaches the threshold.
  void MaybeAdd(std::string_view event, int64_t latency_ms, int64_t unix_time_s);
  // Forgets one event: 1 if it had samples, else 0.
  size_t Reset(std::string_view event);
  // Forgets every event: how many there were.
  size_t ResetAll();
  const LatencySeries* Find(std::string_view event) const;
  const std::map<std::string, LatencySeries, std::less<>>& events() const { return events_; }

  int64_t threshold_ms() const { return threshold_ms_; }
  void set_threshold_ms(int64_t ms) { threshold_ms_ = ms; }

 private:
  std::map<std::string, LatencySeries, std::less<>> events_;
  int64_t threshold_ms_ = 0;  // 0 = off, as Redis's default
};

}  // namespace strongbox::engine
