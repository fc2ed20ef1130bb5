// INFO's instantaneous_ops_per_sec and instantaneous_input/output_kbps, as Redis computes them:
// every 100 ms the rate since the previous sample goes into a 16-sample ring, and the figure is
// the ring's mean (so it covers the last 1.6 s).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace strongbox::engine {

class InstantaneousMetrics {
 public:
  static constexpr int64_t kSampleIntervalMs = 100;
  static constexpr size_t kSamples = 16;

  // Called from the server's timer: takes a sample when kSampleIntervalMs have passed.
  void MaybeSample(int64_t now_ms, uint64_t commands_total, uint64_t input_bytes_total,
                   uint64_t output_bytes_total);
  uint64_t ops_per_sec() const { return static_cast<uint64_t>(ops_.Mean()); }
  double input_kbps() const { return input_.Mean() / 1024; }
  double output_kbps() const { return output_.Mean() / 1024; }
  void Reset() { *this = InstantaneousMetrics{}; }

 private:
  struct Ring {
    std::array<double, kSamples> per_sec{};
    size_t next = 0;
    uint64_t last_total = 0;
    void Add(uint64_t total, int64_t elapsed_ms);
    double Mean() const;
  };
  int64_t last_sample_ms_ = 0;
  Ring ops_, input_, output_;
};

}  // namespace strongbox::engine
