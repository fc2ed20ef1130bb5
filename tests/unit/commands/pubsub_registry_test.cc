// Pub/Sub registry bookkeeping, and the pub/sub commands through Dispatch: confirmations,
// counts, RESP2 subscriber mode and removal of every subscription of a client.
#include "engine/commands/pubsub_registry.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine::testing {
namespace {

constexpr PubSubKind kChannel = PubSubKind::kChannel;
constexpr PubSubKind kPattern = PubSubKind::kPattern;
constexpr PubSubKind kShard = PubSubKind::kShard;

struct Subscription {
  PubSubKind kind;
  uint64_t client;
  const char* name;
};

void SubscribeAll(PubSubRegistry& r, std::initializer_list<Subscription> subscriptions) {
  for (const Subscription& s : subscriptions) REQUIRE(r.Subscribe(s.kind, s.client, s.name));
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_CASE("Subscribing twice changes nothing; unsubscribing what is not there neither") {
  PubSubRegistry r;
  CHECK(r.Subscribe(kChannel, 1, "news"));
  CHECK_FALSE(r.Subscribe(kChannel, 1, "news"));
  CHECK(r.CountOf(kChannel, 1) == 1);
  CHECK(r.SubscriberCount(kChannel, "news") == 1);
  CHECK_FALSE(r.Unsubscribe(kChannel, 1, "other"));
  CHECK_FALSE(r.Unsubscribe(kPattern, 1, "news"));  // kinds are separate namespaces
  CHECK(r.Unsubscribe(kChannel, 1, "news"));
  CHECK(r.NameCount(kChannel) == 0);  // an empty channel disappears (PUBSUB CHANNELS)
  CHECK(r.CountOf(kChannel, 1) == 0);
}

TEST_CASE("A message reaches direct subscribers in order, then each matching pattern") {
  PubSubRegistry r;
  SubscribeAll(r, {{kChannel, 3, "news.tech"},
                   {kChannel, 1, "news.tech"},
                   {kPattern, 1, "news.*"},
                   {kPattern, 1, "*tech"},
                   {kPattern, 2, "sport.*"},
                   {kShard, 4, "news.tech"}});  // shard channels are not reached by PUBLISH

  auto receivers = r.ReceiversOf(kChannel, "news.tech");
  REQUIRE(receivers.size() == 4);
  CHECK(receivers[0].client == 3);
  CHECK(receivers[0].pattern == nullptr);
  CHECK(receivers[1].client == 1);
  CHECK(receivers[1].pattern == nullptr);
  std::vector<std::string> patterns;
  for (size_t i = 2; i < 4; ++i) {
    CHECK(receivers[i].client == 1);
    REQUIRE(receivers[i].pattern != nullptr);
    patterns.push_back(*receivers[i].pattern);
  }
  CHECK(Sorted(patterns) == std::vector<std::string>{"*tech", "news.*"});

  auto shard = r.ReceiversOf(kShard, "news.tech");
  REQUIRE(shard.size() == 1);
  CHECK(shard[0].client == 4);
  CHECK(r.ReceiversOf(kChannel, "weather").empty());
}

TEST_CASE("RemoveClient drops every subscription of every kind and nobody else's") {
  PubSubRegistry r;
  SubscribeAll(r, {{kChannel, 1, "a"}, {kChannel, 2, "a"}, {kPattern, 1, "a*"}, {kShard, 1, "s"}});
  r.RemoveClient(1);
  CHECK(r.CountOf(kChannel, 1) + r.CountOf(kPattern, 1) + r.CountOf(kShard, 1) == 0);
  CHECK(r.SubscriberCount(kChannel, "a") == 1);
  CHECK(r.NameCount(kPattern) == 0);
  CHECK(r.NameCount(kShard) == 0);
  REQUIRE(r.ReceiversOf(kChannel, "a").size() == 1);
  CHECK(r.ReceiversOf(kChannel, "a")[0].client == 2);
}

TEST_CASE("Names lists active channels, filtered by a glob pattern") {
  PubSubRegistry r;
  SubscribeAll(r, {{kChannel, 1, "news.tech"},
                   {kChannel, 2, "news.art"},
                   {kChannel, 2, "sport"},
                   {kPattern, 2, "x*"}});  // patterns are not channels
  CHECK(Sorted(r.Names(kChannel, std::nullopt)) ==
        std::vector<std::string>{"news.art", "news.tech", "sport"});
  CHECK(Sorted(r.Names(kChannel, "news.*")) == std::vector<std::string>{"news.art", "news.tech"});
  CHECK(r.Names(kShard, std::nullopt).empty());
  CHECK(r.SubscriptionsOf(kChannel, 2) == std::vector<std::string>{"news.art", "sport"});
}

TEST_CASE("SUBSCRIBE confirms each channel with the count of channels and patterns") {
  Harness h;
  CHECK(h.Run({"subscribe", "a", "b", "a"}) ==
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  CHECK(h.Run({"psubscribe", "x*"}) == "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:3\r\n");
  // Shard confirmations count shard channels only.
  CHECK(h.Run({"ssubscribe", "s"}) == "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
  CHECK(h.client.subscriptions == 4);
}

TEST_CASE("A RESP2 subscriber runs only the pub/sub context commands; RESP3 runs anything") {
  Harness h;
  h.Run({"subscribe", "a"});
  CHECK(h.Run({"get", "k"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context\r\n");
  CHECK(h.Run({"config", "GET", "x"}).starts_with("-ERR Can't execute 'config|get'"));
  CHECK(h.Run({"get"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"ping"}) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  CHECK(h.Run({"ping", "hi"}) == "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  CHECK(h.Run({"unsubscribe"}) == "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
  CHECK(h.Run({"unsubscribe"}) == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run({"get", "k"}) == "$-1\r\n");

  h.client.protocol_version = 3;
  CHECK(h.Run({"subscribe", "a"}) == ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  CHECK(h.Run({"get", "k"}) == "_\r\n");
  CHECK(h.Run({"ping"}) == "+PONG\r\n");
}

TEST_CASE("PUBSUB answers from the registry, with Redis's argument errors") {
  Harness h;
  ClientSession other;
  other.id = 7;
  h.client.protocol_version = 3;  // a RESP3 subscriber may run PUBSUB and PUBLISH
  h.Run({"subscribe", "a"});
  h.Run(other, {"subscribe", "a", "b"});
  h.Run(other, {"psubscribe", "a*", "b*"});
  CHECK(h.Run({"pubsub", "numpat"}) == ":2\r\n");
  CHECK(h.Run({"pubsub", "numsub", "a", "b", "c"}) ==
        "*6\r\n$1\r\na\r\n:2\r\n$1\r\nb\r\n:1\r\n$1\r\nc\r\n:0\r\n");
  CHECK(h.Run({"pubsub", "channels", "b*"}) == "*1\r\n$1\r\nb\r\n");
  CHECK(h.Run({"pubsub", "numpat", "x"}) ==
        "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
  CHECK(h.Run({"pubsub", "channels", "a", "b"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB "
        "HELP.\r\n");
  CHECK(h.Run({"pubsub", "nope"}) == "-ERR unknown subcommand 'nope'. Try PUBSUB HELP.\r\n");
  CHECK(h.Run({"publish", "a", "m"}) == ":3\r\n");  // a (both clients), a* (other)
  CHECK(h.server.published.size() == 1);
}

}  // namespace
}  // namespace strongbox::engine::testing
