// Latency samples per event (see latency_monitor.h).
#include "engine/commands/latency_monitor.h"

namespace strongbox::engine {

void LatencySeries::Add(int64_t unix_time_s, int64_t latency_ms) {
  if (latency_ms > max_ms_) max_ms_ = latency_ms;
  // One slot per second: a second sample in the same second keeps the worst of the two, so a
  // burst of slow commands cannot push the older history out.
  LatencySample& prev = samples_[(next_ + kSamples - 1) % kSamples];
  if (prev.unix_time_s == unix_time_s) {
    if (latency_ms > prev.latency_ms) prev.latency_ms = latency_ms;
    return;
  }
  samples_[next_] = {unix_time_s, latency_ms};
  next_ = (next_ + 1) % kSamples;
}

std::vector<LatencySample> LatencySeries::History() const {
  std::vector<LatencySample> out;
  for (size_t i = 0; i < kSamples; ++i) {
    const LatencySample& s = samples_[(next_ + i) % kSamples];
    if (s.unix_time_s != 0) out.push_back(s);
  }
  return out;
}

void LatencyMonitor::MaybeAdd(std::string_view event, int64_t latency_ms, int64_t unix_time_s) {
  if (threshold_ms_ <= 0 || latency_ms < threshold_ms_) return;
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), LatencySeries()).first;
  it->second.Add(unix_time_s, latency_ms);
}

size_t LatencyMonitor::ResetAll() {
  size_t n = events_.size();
  events_.clear();
  return n;
}

size_t LatencyMonitor::Reset(std::string_view event) {
  auto it = events_.find(event);
  if (it == events_.end()) return 0;
  events_.erase(it);
  return 1;
}

const LatencySeries* LatencyMonitor::Find(std::string_view event) const {
  auto it = events_.find(event);
  return it == events_.end() ? nullptr : &it->second;
}

}  // namespace strongbox::engine
