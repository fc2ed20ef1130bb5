// Sampled rates for INFO (see instantaneous_metrics.h).
#include "engine/server/instantaneous_metrics.h"

namespace strongbox::engine {

void InstantaneousMetrics::Ring::Add(uint64_t total, int64_t elapsed_ms) {
  // A total below the last one was reset (CONFIG RESETSTAT): count from zero.
  uint64_t delta = total >= last_total ? total - last_total : total;
  per_sec[next] = static_cast<double>(delta) * 1000.0 / static_cast<double>(elapsed_ms);
  next = (next + 1) % kSamples;
  last_total = total;
}

double InstantaneousMetrics::Ring::Mean() const {
  double sum = 0;
  for (double v : per_sec) sum += v;
  return sum / kSamples;
}

void InstantaneousMetrics::MaybeSample(int64_t now_ms, uint64_t commands_total,
                                       uint64_t input_bytes_total, uint64_t output_bytes_total) {
  if (last_sample_ms_ == 0) {  // the first call only sets the baseline
    last_sample_ms_ = now_ms;
    ops_.last_total = commands_total;
    input_.last_total = input_bytes_total;
    output_.last_total = output_bytes_total;
    return;
  }
  int64_t elapsed_ms = now_ms - last_sample_ms_;
  if (elapsed_ms < kSampleIntervalMs) return;
  last_sample_ms_ = now_ms;
  ops_.Add(commands_total, elapsed_ms);
  input_.Add(input_bytes_total, elapsed_ms);
  output_.Add(output_bytes_total, elapsed_ms);
}

}  // namespace strongbox::engine
