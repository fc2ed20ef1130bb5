// client-output-buffer-limit: Redis's defaults, its CONFIG GET text and CONFIG SET parsing.
#include "engine/server/output_buffer_limit.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::engine {
namespace {

TEST_CASE("The defaults are Redis's and print as CONFIG GET does") {
  OutputBufferLimits limits;
  CHECK(limits.ToConfigText() ==
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
}

TEST_CASE("CONFIG SET takes classes in any order with redis.conf memory units") {
  OutputBufferLimits limits;
  std::string error;
  REQUIRE(limits.Set("pubsub 1k 2kb 3 replica 1mb 1m 0", &error));
  CHECK(limits.pubsub().hard_bytes == 1000);
  CHECK(limits.pubsub().soft_bytes == 2048);
  CHECK(limits.pubsub().soft_seconds == 3);
  CHECK(limits.ToConfigText() == "normal 0 0 0 slave 1048576 1000000 0 pubsub 1000 2048 3");
}

TEST_CASE("A bad CONFIG SET value changes nothing and says why, as Redis does") {
  OutputBufferLimits limits;
  std::string before = limits.ToConfigText();
  std::string error;
  CHECK_FALSE(limits.Set("pubsub 1mb 0", &error));
  CHECK(error == "Wrong number of arguments in buffer limit configuration.");
  CHECK_FALSE(limits.Set("pubsub 1 0 0 foo 1 2 3", &error));
  CHECK(error == "Invalid client class specified in buffer limit configuration.");
  CHECK_FALSE(limits.Set("pubsub x 0 0", &error));
  CHECK(error == "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  CHECK_FALSE(limits.Set("pubsub -1 0 0", &error));
  CHECK_FALSE(limits.Set("pubsub 99999999999999999999gb 0 0", &error));
  CHECK(limits.ToConfigText() == before);
}

}  // namespace
}  // namespace strongbox::engine
