// A per-command latency histogram for INFO latencystats: log-bucketed (8 linear sub-buckets per
// power of two, so a percentile is off by at most 12.5%), fixed size, no allocation per sample.
// Redis uses hdr_histogram, which Debian does not package.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace strongbox::engine {

class LatencyHistogram {
 public:
  void Record(int64_t duration_us);
  // The upper bound (µs) of the bucket holding the `percentile` (0..100) sample; 0 when empty.
  double Percentile(double percentile) const;
  uint64_t count() const { return count_; }

 private:
  static constexpr int kSubBucketBits = 3;
  static constexpr int kBuckets = 64 << kSubBucketBits;
  static int BucketOf(uint64_t duration_us);
  static double UpperBoundUs(int bucket);
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
};

}  // namespace strongbox::engine
