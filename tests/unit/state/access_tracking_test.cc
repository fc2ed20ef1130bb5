// Per-key access tracking: Redis's LFU counter (logarithmic growth, decay) and the 24-bit LRU
// clock's idle time, and that a lookup is what counts as an access.
#include "common/state/access_tracking.h"

#include <catch2/catch.hpp>

#include "common/state/state.h"

namespace strongbox::state {
namespace {

TEST_CASE("The LFU counter grows with probability 1/((c - 5) * factor + 1)") {
  // At or below the initial value every access counts.
  CHECK(LfuLogIncrement(0, kLfuLogFactor, 0.999) == 1);
  CHECK(LfuLogIncrement(5, kLfuLogFactor, 0.999) == 6);
  // At 15 the probability is 1/101: a draw below it counts, one above does not.
  CHECK(LfuLogIncrement(15, kLfuLogFactor, 0.0098) == 16);
  CHECK(LfuLogIncrement(15, kLfuLogFactor, 0.0100) == 15);
  CHECK(LfuLogIncrement(255, kLfuLogFactor, 0.0) == 255);  // saturates
}

TEST_CASE("The LFU counter is logarithmic: 1000 hits land near Redis's table") {
  // Redis's redis.conf table for lfu-log-factor 10: 100 hits -> 10, 1K hits -> 18.
  AccessClock clock;
  uint8_t counter = kLfuInitialCounter;
  for (int i = 0; i < 1000; ++i) counter = LfuLogIncrement(counter, 10, clock.NextRandom());
  CHECK(counter >= 14);
  CHECK(counter <= 24);
}

TEST_CASE("The LFU counter decays one step per decay period, not below zero") {
  CHECK(LfuDecayed(10, 0, 1) == 10);
  CHECK(LfuDecayed(10, 3, 1) == 7);
  CHECK(LfuDecayed(10, 7, 2) == 7);
  CHECK(LfuDecayed(10, 500, 1) == 0);
  CHECK(LfuDecayed(10, 500, 0) == 10);  // decay time 0: never
}

TEST_CASE("Idle time is measured across a wrap of the 24-bit clock") {
  CHECK(IdleSeconds(100, 40) == 60);
  CHECK(IdleSeconds(10, kLruClockMax - 5) == 15);
  CHECK(LruClockOf(int64_t{1} << 40) <= kLruClockMax);
}

TEST_CASE("A lookup stamps the key's clock and, under LFU, counts the access") {
  AccessClock& clock = GlobalAccessClock();
  AccessClock saved = clock;
  clock.lru_clock_s = 1000;
  clock.lfu = true;
  State state;
  Db& db = state.db(0);
  db.Upsert("k");
  clock.lru_clock_s = 1030;
  const Entry* untouched = std::as_const(db).Find("k", 0);  // the const lookup does not touch
  CHECK(untouched->idle_seconds(clock) == 30);
  CHECK(untouched->lfu_counter(clock) == kLfuInitialCounter);
  Entry* e = db.Find("k", 0);
  CHECK(e->idle_seconds(clock) == 0);
  CHECK(e->lfu_counter(clock) == kLfuInitialCounter + 1);  // at 5 every access counts
  clock.lru_clock_s = 1030 + 180;                          // three minutes idle: three decays
  CHECK(e->lfu_counter(clock) == kLfuInitialCounter - 2);
  clock = saved;
}

}  // namespace
}  // namespace strongbox::state
