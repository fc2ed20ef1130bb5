// The slow log's argument trimming (Redis's 32 arguments / 128 bytes) and its bounded list:
// newest first, ids that survive RESET, the threshold's off and log-everything values.
#include "engine/commands/slowlog.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace strongbox::engine {
namespace {

std::vector<std::string> Trim(const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return TrimSlowlogArgv(views);
}

SlowlogEntry Named(std::string name) {
  SlowlogEntry e;
  e.argv = {std::move(name)};
  return e;
}

TEST_CASE("slowlog trimming keeps 32 arguments as they are") {
  std::vector<std::string> argv(32, "x");
  CHECK(Trim(argv) == argv);
}

TEST_CASE("slowlog trimming: the 32nd slot counts the arguments left out, itself included") {
  std::vector<std::string> argv(33, "x");
  auto got = Trim(argv);
  REQUIRE(got.size() == 32);
  CHECK(got[30] == "x");
  CHECK(got[31] == "... (2 more arguments)");
  got = Trim(std::vector<std::string>(100, "y"));
  CHECK(got[31] == "... (69 more arguments)");
}

TEST_CASE("slowlog trimming cuts an argument past 128 bytes and says how much went") {
  std::string exact(128, 'a'), longer(129, 'b'), big(1000, 'c');
  auto got = Trim({"SET", exact, longer, big});
  CHECK(got[1] == exact);
  CHECK(got[2] == std::string(128, 'b') + "... (1 more bytes)");
  CHECK(got[3] == std::string(128, 'c') + "... (872 more bytes)");
}

TEST_CASE("the slow log keeps the newest max_len entries, newest first") {
  SlowLog log;
  log.set_slower_than_us(0);
  log.set_max_len(2);
  log.MaybeAdd(5, Named("a"));
  log.MaybeAdd(6, Named("b"));
  log.MaybeAdd(7, Named("c"));
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].argv[0] == "c");
  CHECK(log.entries()[0].id == 2);
  CHECK(log.entries()[0].duration_us == 7);
  CHECK(log.entries()[1].argv[0] == "b");
  CHECK(log.entries_added() == 3);
}

TEST_CASE("slow log ids keep counting across RESET") {
  SlowLog log;
  log.set_slower_than_us(0);
  log.MaybeAdd(1, Named("a"));
  log.Reset();
  CHECK(log.entries().empty());
  log.MaybeAdd(1, Named("b"));
  CHECK(log.entries()[0].id == 1);
}

TEST_CASE("the slow log threshold: at least slower_than_us, and negative turns it off") {
  SlowLog log;
  CHECK(log.slower_than_us() == 10000);
  CHECK(log.max_len() == 128);
  log.MaybeAdd(9999, Named("fast"));
  log.MaybeAdd(10000, Named("slow"));
  REQUIRE(log.entries().size() == 1);
  CHECK(log.entries()[0].argv[0] == "slow");
  log.set_slower_than_us(-1);
  log.MaybeAdd(1'000'000, Named("off"));
  CHECK(log.entries().size() == 1);
}

TEST_CASE("a smaller max_len applies at the next command while logging is on, as in Redis") {
  SlowLog log;
  log.set_slower_than_us(0);
  for (int i = 0; i < 4; ++i) log.MaybeAdd(1, Named("x"));
  log.set_max_len(1);
  CHECK(log.entries().size() == 4);
  log.set_slower_than_us(100);
  log.MaybeAdd(1, Named("below the threshold"));  // not logged, but the list is trimmed
  REQUIRE(log.entries().size() == 1);
  CHECK(log.entries()[0].id == 3);
  log.set_max_len(0);
  log.set_slower_than_us(-1);
  log.MaybeAdd(1, Named("off"));
  CHECK(log.entries().size() == 1);
}

}  // namespace
}  // namespace strongbox::engine
