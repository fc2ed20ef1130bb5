// Log-bucketed latency histogram (see latency_histogram.h).
#include "engine/commands/latency_histogram.h"

#include <bit>
#include <cmath>

namespace strongbox::engine {

// Values below 2^kSubBucketBits get a bucket each; above, the octave of the value picks the
// group and the next kSubBucketBits bits the sub-bucket inside it.
int LatencyHistogram::BucketOf(uint64_t duration_us) {
  constexpr uint64_t kLinear = uint64_t{1} << kSubBucketBits;
  if (duration_us < kLinear) return static_cast<int>(duration_us);
  int octave = std::bit_width(duration_us) - 1;  // >= kSubBucketBits
  int shift = octave - kSubBucketBits;
  int sub = static_cast<int>((duration_us >> shift) & (kLinear - 1));
  return ((shift + 1) << kSubBucketBits) + sub;
}

double LatencyHistogram::UpperBoundUs(int bucket) {
  constexpr int kLinear = 1 << kSubBucketBits;
  if (bucket < kLinear) return bucket;
  int shift = (bucket >> kSubBucketBits) - 1;
  int sub = bucket & (kLinear - 1);
  // The largest value that maps here: ((kLinear + sub + 1) << shift) - 1.
  return std::ldexp(static_cast<double>(kLinear + sub + 1), shift) - 1;
}

void LatencyHistogram::Record(int64_t duration_us) {
  uint64_t value = duration_us > 0 ? static_cast<uint64_t>(duration_us) : 0;
  ++counts_[static_cast<size_t>(BucketOf(value))];
  ++count_;
}

double LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  // The rank of the sample asked for, 1-based, as hdr_histogram counts it.
  auto rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<size_t>(b)];
    if (seen >= rank) return UpperBoundUs(b);
  }
  return UpperBoundUs(kBuckets - 1);
}

}  // namespace strongbox::engine
