// INFO's statistics: the log-bucketed latency histogram's percentiles, commandstats'
// calls/failures/rejections, errorstats keyed by the error's first word (capped as Redis),
// hits/misses counted only for read-only commands, and RESETSTAT.
#include "engine/commands/command_stats.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::engine {
namespace {

TEST_CASE("an empty histogram reports 0 for every percentile") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.Percentile(50) == 0);
}

TEST_CASE("small latencies are exact, larger ones within one eighth of an octave") {
  LatencyHistogram h;
  for (int i = 0; i < 99; ++i) h.Record(3);
  h.Record(1000);
  CHECK(h.count() == 100);
  CHECK(h.Percentile(50) == 3);
  CHECK(h.Percentile(99) == 3);
  double p999 = h.Percentile(99.9);
  CHECK(p999 >= 1000);
  CHECK(p999 <= 1000 * 1.125);
}

TEST_CASE("percentiles are monotonic and bound the recorded values") {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 10000; ++v) h.Record(v);
  double p50 = h.Percentile(50), p99 = h.Percentile(99), p100 = h.Percentile(100);
  CHECK(p50 >= 5000);
  CHECK(p50 <= 5000 * 1.125);
  CHECK(p99 >= 9900);
  CHECK(p50 <= p99);
  CHECK(p99 <= p100);
  CHECK(p100 >= 10000);
  h.Record(-5);  // a clock step back counts as 0, never as a huge unsigned value
  CHECK(h.Percentile(0.001) == 0);
}

TEST_CASE("commandstats count calls, time, failures and rejections per command") {
  CommandStats s;
  s.RecordCall("get", 10, false);
  s.RecordCall("get", 30, true);
  s.RecordRejected("get");
  s.RecordRejected("set");
  const CommandStat& get = s.commands().at("get");
  CHECK(get.calls == 2);
  CHECK(get.usec == 40);
  CHECK(get.failed_calls == 1);
  CHECK(get.rejected_calls == 1);
  CHECK(get.latency.count() == 2);
  const CommandStat& set = s.commands().at("set");
  CHECK(set.calls == 0);
  CHECK(set.rejected_calls == 1);
  CHECK(set.latency.count() == 0);
}

TEST_CASE("errorstats key by the error code and stop adding codes past Redis's limit") {
  CommandStats s;
  s.OnErrorReply("ERR syntax error");
  s.OnErrorReply("ERR unknown command");
  s.OnErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value");
  s.OnErrorReply("NOSPACE");
  CHECK(s.errors().at("ERR") == 2);
  CHECK(s.errors().at("WRONGTYPE") == 1);
  CHECK(s.errors().at("NOSPACE") == 1);
  for (size_t i = 0; i < 2 * CommandStats::kErrorCodesMax; ++i) {
    s.OnErrorReply("CODE" + std::to_string(i) + " invented by a script");
  }
  CHECK(s.errors().size() == CommandStats::kErrorCodesMax);
  CHECK(s.total_error_replies() == 4 + 2 * CommandStats::kErrorCodesMax);
}

TEST_CASE("the reply writer tells its observer of every error it encodes") {
  CommandStats s;
  std::string out;
  RespWriter w(&out);
  w.Error("ERR before the observer");
  w.set_error_observer(&s);
  w.SimpleString("OK");
  w.Error("MISCONF refused");
  CHECK(s.total_error_replies() == 1);
  CHECK(s.errors().at("MISCONF") == 1);
}

TEST_CASE("lookups count as hits and misses only while a read-only command runs") {
  CommandStats s;
  s.RecordLookup(true);
  CHECK(s.keyspace_hits() == 0);
  s.set_lookups_counted(true);
  s.RecordLookup(true);
  s.RecordLookup(false);
  s.RecordLookup(false);
  CHECK(s.keyspace_hits() == 1);
  CHECK(s.keyspace_misses() == 2);
}

TEST_CASE("RESETSTAT clears every statistic") {
  CommandStats s;
  s.set_lookups_counted(true);
  s.RecordLookup(true);
  s.RecordCall("get", 1, false);
  s.OnErrorReply("ERR x");
  s.ResetStats();
  CHECK(s.commands().empty());
  CHECK(s.errors().empty());
  CHECK(s.total_error_replies() == 0);
  CHECK(s.keyspace_hits() == 0);
  CHECK(s.keyspace_misses() == 0);
}

}  // namespace
}  // namespace strongbox::engine
