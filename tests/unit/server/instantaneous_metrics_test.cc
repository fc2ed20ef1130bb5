// INFO's instantaneous rates: one sample per 100 ms, the mean of the last 16, a reset total
// (CONFIG RESETSTAT) counted from zero.
#include "engine/server/instantaneous_metrics.h"

#include <catch2/catch.hpp>

namespace strongbox::engine {
namespace {

TEST_CASE("the first call only sets the baseline") {
  InstantaneousMetrics m;
  m.MaybeSample(1000, 500, 1 << 20, 1 << 20);
  CHECK(m.ops_per_sec() == 0);
  CHECK(m.input_kbps() == 0);
}

TEST_CASE("rates are the mean of the last 16 samples, taken every 100 ms") {
  InstantaneousMetrics m;
  int64_t now_ms = 1000;
  uint64_t ops = 0, in = 0, out = 0;
  m.MaybeSample(now_ms, ops, in, out);
  for (int i = 0; i < 16; ++i) {
    now_ms += 100;
    ops += 100;        // 1000 ops/s
    in += 1024 * 10;   // 100 KiB/s
    out += 1024 * 20;  // 200 KiB/s
    m.MaybeSample(now_ms, ops, in, out);
    m.MaybeSample(now_ms + 50, ops + 1000, in, out);  // too early: no sample
  }
  CHECK(m.ops_per_sec() == 1000);
  CHECK(m.input_kbps() == Approx(100));
  CHECK(m.output_kbps() == Approx(200));
  // Idle for 8 samples: half the ring is 0.
  for (int i = 0; i < 8; ++i) {
    now_ms += 100;
    m.MaybeSample(now_ms, ops, in, out);
  }
  CHECK(m.ops_per_sec() == 500);
}

TEST_CASE("a total that went down (RESETSTAT) counts from zero") {
  InstantaneousMetrics m;
  m.MaybeSample(1000, 5000, 0, 0);
  m.MaybeSample(1100, 16, 0, 0);
  CHECK(m.ops_per_sec() == 10);  // 16 ops in 100 ms = 160/s, one sample of 16
}

}  // namespace
}  // namespace strongbox::engine
