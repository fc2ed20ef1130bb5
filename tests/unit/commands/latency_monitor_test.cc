// The latency monitor: off at threshold 0, one sample a second (the worst), 160 kept per
// event oldest first, the all-time high, RESET of one event or all.
#include "engine/commands/latency_monitor.h"

#include <catch2/catch.hpp>

namespace strongbox::engine {
namespace {

TEST_CASE("the latency monitor records nothing while the threshold is 0 or not reached") {
  LatencyMonitor m;
  m.MaybeAdd("command", 500, 100);
  CHECK(m.events().empty());
  m.set_threshold_ms(10);
  m.MaybeAdd("command", 9, 100);
  CHECK(m.events().empty());
  m.MaybeAdd("command", 10, 100);
  REQUIRE(m.Find("command") != nullptr);
  CHECK(m.Find("command")->latest().latency_ms == 10);
  CHECK(m.Find("command")->latest().unix_time_s == 100);
}

TEST_CASE("latency samples of one second collapse into the worst of them") {
  LatencySeries s;
  s.Add(100, 5);
  s.Add(100, 9);
  s.Add(100, 3);
  s.Add(101, 2);
  auto h = s.History();
  REQUIRE(h.size() == 2);
  CHECK(h[0].unix_time_s == 100);
  CHECK(h[0].latency_ms == 9);
  CHECK(h[1].latency_ms == 2);
  CHECK(s.latest().latency_ms == 2);
  CHECK(s.max_ms() == 9);
}

TEST_CASE("a latency series keeps the last 160 seconds, oldest first, and the all-time high") {
  LatencySeries s;
  s.Add(1, 1000);
  for (int t = 2; t <= 200; ++t) s.Add(t, t);
  auto h = s.History();
  REQUIRE(h.size() == LatencySeries::kSamples);
  CHECK(h.front().unix_time_s == 41);
  CHECK(h.back().unix_time_s == 200);
  CHECK(s.latest().latency_ms == 200);
  CHECK(s.max_ms() == 1000);  // outlives the sample that set it
}

TEST_CASE("LATENCY RESET forgets one event or all, counting what it forgot") {
  LatencyMonitor m;
  m.set_threshold_ms(1);
  m.MaybeAdd("command", 5, 1);
  m.MaybeAdd("fsync", 5, 1);
  m.MaybeAdd("loop-turn", 5, 1);
  CHECK(m.Reset("nosuch") == 0);
  CHECK(m.Reset("") == 0);
  CHECK(m.Reset("fsync") == 1);
  CHECK(m.Find("fsync") == nullptr);
  CHECK(m.ResetAll() == 2);
  CHECK(m.events().empty());
}

}  // namespace
}  // namespace strongbox::engine
