// SLOWLOG, LATENCY and their CONFIG parameters through Dispatch: what enters the slow log
// (commands that ran; not EXEC, not queued or refused ones; passwords redacted) and Redis
// 7.0's replies and error texts. Durations are real, so the threshold is 0 (log everything).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/commands/monitors.h"
#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine::testing {
namespace {

struct MonitoredHarness : Harness {
  MonitoredHarness() {
    server.monitors_ = &monitors;
    monitors.slowlog.set_slower_than_us(0);
  }
  std::vector<std::vector<std::string>> Logged() const {  // oldest first
    std::vector<std::vector<std::string>> out;
    for (const auto& e : monitors.slowlog.entries()) out.insert(out.begin(), e.argv);
    return out;
  }
  Monitors monitors;
};

using Argvs = std::vector<std::vector<std::string>>;

TEST_CASE("EXEC is not logged, the commands it ran are, as in Redis 7.0") {
  MonitoredHarness h;
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1"});
  h.Run({"GET", "a"});
  h.Run({"EXEC"});
  CHECK(h.Logged() == Argvs{{"MULTI"}, {"SET", "a", "1"}, {"GET", "a"}});
}

TEST_CASE("refused commands do not enter the slow log; failed ones that ran do") {
  MonitoredHarness h;
  h.Run({"nosuch"});
  h.Run({"GET"});
  h.Run({"INCR", "s"});
  h.Run({"SET", "s", "x"});
  h.Run({"INCR", "s"});  // ran, replied an error
  CHECK(h.Logged() == Argvs{{"INCR", "s"}, {"SET", "s", "x"}, {"INCR", "s"}});
}

TEST_CASE("slow log entries carry the client's address, name and the command's time") {
  MonitoredHarness h;
  h.client.address = "10.0.0.1:5000";
  h.client.name = "worker";
  h.Run({"PING"});
  const SlowlogEntry& e = h.monitors.slowlog.entries().front();
  CHECK(e.peer == "10.0.0.1:5000");
  CHECK(e.client_name == "worker");
  CHECK(e.unix_time_s == h.now_ms / 1000);
  CHECK(e.duration_us >= 0);
}

TEST_CASE("passwords never reach the slow log") {
  MonitoredHarness h;
  h.Run({"AUTH", "user", "secret"});
  h.Run({"HELLO", "2", "SETNAME", "auth", "AUTH", "default", "secret"});
  CHECK(h.Logged() == Argvs{{"AUTH", "(redacted)", "(redacted)"},
                            {"HELLO", "2", "SETNAME", "auth", "AUTH", "(redacted)", "(redacted)"}});
}

TEST_CASE("ACL SETUSER's user and rules never reach the slow log (Redis 7.0 redacts them)") {
  MonitoredHarness h;
  h.Run({"ACL", "SETUSER", "bob", "on", ">secret"});
  h.Run({"ACL", "DELUSER", "bob"});
  CHECK(h.Logged() == Argvs{{"ACL", "SETUSER", "(redacted)", "(redacted)", "(redacted)"},
                            {"ACL", "DELUSER", "bob"}});
}

TEST_CASE("SLOWLOG LEN, RESET and GET's count, with Redis's errors") {
  MonitoredHarness h;
  for (int i = 0; i < 12; ++i) h.Run({"PING"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":12\r\n");  // LEN itself is logged after it ran
  CHECK(h.Run({"SLOWLOG", "GET"}).starts_with("*10\r\n*6\r\n:12\r\n"));
  CHECK(h.Run({"SLOWLOG", "GET", "-1"}).starts_with("*14\r\n"));
  CHECK(h.Run({"SLOWLOG", "GET", "0"}) == "*0\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "-2"}) == "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "x"}) == "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "1", "2"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN", "1"}) ==
        "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  CHECK(h.Run({"SLOWLOG", "nope"}) == "-ERR unknown subcommand 'nope'. Try SLOWLOG HELP.\r\n");
  CHECK(h.Run({"SLOWLOG", "RESET"}) == "+OK\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":1\r\n");  // the RESET
}

TEST_CASE("LATENCY answers for events it has not seen, with Redis's errors") {
  MonitoredHarness h;
  CHECK(h.Run({"LATENCY", "LATEST"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "HISTORY", "command"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "RESET"}) == ":0\r\n");
  CHECK(h.Run({"LATENCY", "GRAPH", "command"}) ==
        "-ERR No samples available for event 'command'\r\n");
  CHECK(h.Run({"LATENCY", "HISTORY"}) ==
        "-ERR wrong number of arguments for 'latency|history' command\r\n");
  CHECK(h.Run({"LATENCY", "foo"}) == "-ERR unknown subcommand 'foo'. Try LATENCY HELP.\r\n");
}

TEST_CASE("LATENCY LATEST and HISTORY report recorded samples") {
  MonitoredHarness h;
  h.monitors.latency.set_threshold_ms(1);
  h.monitors.latency.MaybeAdd("fsync", 7, 1000);
  h.monitors.latency.MaybeAdd("fsync", 3, 1001);
  CHECK(h.Run({"LATENCY", "LATEST"}) == "*1\r\n*4\r\n$5\r\nfsync\r\n:1001\r\n:3\r\n:7\r\n");
  CHECK(h.Run({"LATENCY", "HISTORY", "fsync"}) ==
        "*2\r\n*2\r\n:1000\r\n:7\r\n*2\r\n:1001\r\n:3\r\n");
  CHECK(h.Run({"LATENCY", "RESET", "fsync", "nosuch"}) == ":1\r\n");
}

TEST_CASE("CONFIG SET of the monitors' parameters takes effect, all or nothing") {
  MonitoredHarness h;
  CHECK(h.Run({"CONFIG", "SET", "slowlog-max-len", "5", "latency-monitor-threshold", "3"}) ==
        "+OK\r\n");
  CHECK(h.monitors.slowlog.max_len() == 5);
  CHECK(h.monitors.latency.threshold_ms() == 3);
  CHECK(h.Run({"CONFIG", "GET", "slowlog-max-len"}) ==
        "*2\r\n$15\r\nslowlog-max-len\r\n$1\r\n5\r\n");
  CHECK(h.Run({"CONFIG", "SET", "slowlog-max-len", "9", "slowlog-log-slower-than", "-2"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - "
        "argument must be between -1 and 9223372036854775807 inclusive\r\n");
  CHECK(h.monitors.slowlog.max_len() == 5);
  CHECK(h.Run({"CONFIG", "SET", "latency-monitor-threshold", "1.5"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'latency-monitor-threshold') - "
        "argument couldn't be parsed into an integer\r\n");
  CHECK(h.Run({"CONFIG", "SET", "SLOWLOG-LOG-SLOWER-THAN", "-1"}) == "+OK\r\n");
  h.Run({"PING"});
  CHECK(h.monitors.slowlog.slower_than_us() == -1);
}

TEST_CASE("without monitors (a server without them) commands run and SLOWLOG says so") {
  Harness h;
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN"}).starts_with("-ERR"));
}

}  // namespace
}  // namespace strongbox::engine::testing
