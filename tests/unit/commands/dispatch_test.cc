// Dispatch outside transactions: Redis 7.0 error texts, AUTH and read-only gating by flags, and
// the readonly promise (no effect) held by every readonly command, expired keys included.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/acl/acl_store.h"
#include "engine/commands/command_registry.h"
#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine::testing {
namespace {

TEST_CASE("an unknown command gets Redis's text, quoting its first arguments") {
  Harness h;
  CHECK(h.Run({"nosuch", "a", "b"}) ==
        "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n");
  CHECK(h.Run({"NoSuch"}) == "-ERR unknown command 'NoSuch', with args beginning with: \r\n");
  CHECK(h.sink.effects.empty());
}

TEST_CASE("a wrong argument count names the command in lower case") {
  Harness h;
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"get", "a", "b"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"set", "k"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(h.sink.effects.empty());
}

TEST_CASE("names are case-insensitive when dispatched") {
  Harness h;
  CHECK(h.Run({"SeT", "k", "v"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(h.sink.effects == std::vector<Effect>{{0, {"SET", "k", "v"}}});
}

TEST_CASE("with a password, only kNoAuth commands run before AUTH") {
  Harness h;
  h.server.password = "secret";
  acl::Acl().SetDefaultPassword("secret");  // AUTH checks the ACL's default user
  CHECK(h.Run({"get", "k"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"ping"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"set", "k", "v"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.sink.effects.empty());
  CHECK(h.Run({"auth", "wrong"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"auth", "secret"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "v"}) == "+OK\r\n");
  CHECK(h.Run({"get", "k"}) == "$1\r\nv\r\n");

  ClientSession other;
  CHECK(h.Run(other, {"quit"}) == "+OK\r\n");
  CHECK(other.close_after_reply);
  acl::Acl().ReplaceAll({});  // the default user is open again
}

// Runs argv and reads one of the session's reply marks Dispatch sets.
bool MarkAfter(Harness& h, bool ClientSession::*mark, std::vector<std::string> argv) {
  h.Run(std::move(argv));
  return h.client.*mark;
}

TEST_CASE("only replies that reveal no state are marked stateless (they wait for no LSN)") {
  Harness h;
  auto stateless = [&](std::vector<std::string> argv) {
    return MarkAfter(h, &ClientSession::reply_stateless, std::move(argv));
  };
  CHECK(stateless({"ping"}));
  CHECK(stateless({"echo", "x"}));
  CHECK(stateless({"time"}));
  CHECK(stateless({"nosuch"}));
  CHECK(stateless({"get"}));  // arity error
  CHECK_FALSE(stateless({"set", "k", "v"}));
  CHECK_FALSE(stateless({"get", "k"}));
  CHECK_FALSE(stateless({"dbsize"}));
  CHECK_FALSE(stateless({"info"}));
  CHECK(stateless({"multi"}) == false);
  CHECK(stateless({"get", "k"}));  // QUEUED
  CHECK_FALSE(stateless({"exec"}));
}

TEST_CASE("replies that reveal no data a record wrote skip the replicas' acknowledgements") {
  Harness h;
  auto local_only = [&](std::vector<std::string> argv) {
    return MarkAfter(h, &ClientSession::reply_no_replica_ack, std::move(argv));
  };
  CHECK(local_only({"info"}));
  CHECK(local_only({"config", "get", "maxmemory"}));
  CHECK(local_only({"client", "list"}));
  CHECK(local_only({"command", "count"}));
  CHECK(local_only({"slowlog", "len"}));
  CHECK(local_only({"publish", "__sentinel__:hello", "x"}));
  CHECK_FALSE(local_only({"set", "k", "v"}));
  CHECK_FALSE(local_only({"get", "k"}));
  CHECK_FALSE(local_only({"dbsize"}));
  CHECK_FALSE(local_only({"memory", "usage", "k"}));  // tells whether a held key exists
  CHECK(local_only({"multi"}));
  CHECK_FALSE(local_only({"config", "get", "maxmemory"}));  // QUEUED: stateless instead
  CHECK(local_only({"exec"}));                              // every queued command reveals no data
  h.Run({"multi"});
  h.Run({"config", "get", "maxmemory"});
  h.Run({"get", "k"});
  CHECK_FALSE(local_only({"exec"}));  // a read among them: it waits for the replicas
}

TEST_CASE("while read-only, writes get MISCONF and reads still run") {
  Harness h;
  CHECK(h.Run({"set", "k", "v"}) == "+OK\r\n");
  h.sink.effects.clear();
  h.server.is_read_only = true;
  CHECK(h.Run({"set", "k", "w"}) == "-MISCONF volume full\r\n");
  CHECK(h.Run({"del", "k"}) == "-MISCONF volume full\r\n");  // frees memory, still a write
  CHECK(h.Run({"flushall"}) == "-MISCONF volume full\r\n");
  CHECK(h.Run({"lpush", "l", "a"}) == "-MISCONF volume full\r\n");
  CHECK(h.sink.effects.empty());
  CHECK(h.Run({"get", "k"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"ping"}) == "+PONG\r\n");
  CHECK(h.Run({"dbsize"}) == ":1\r\n");
  h.server.is_read_only = false;
  CHECK(h.Run({"del", "k"}) == ":1\r\n");
}

TEST_CASE("a blocking command parks the client outside EXEC and answers null inside") {
  Harness h;
  CHECK(h.Run({"blpop", "q", "0"}).empty());  // parked: no reply yet
  CHECK(h.client.block.active);
  CHECK(h.client.block.keys == std::vector<std::pair<uint8_t, std::string>>{{0, "q"}});
  h.client.block = ClientSession::BlockRequest();
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"bzpopmin", "z", "0"}) == "+QUEUED\r\n");
  CHECK(h.Run({"exec"}) == "*1\r\n*-1\r\n");
  CHECK_FALSE(h.client.block.active);
}

// One invocation per readonly command; "$" before a key name becomes "" (a live key of that
// type) or "x" (the same value, expired).
const std::vector<std::vector<std::string>> kReadonlySamples = {
    {"get", "$s"},
    {"mget", "$s", "$h", "missing"},
    {"strlen", "$s"},
    {"getrange", "$s", "0", "-1"},
    {"substr", "$s", "1", "2"},
    {"exists", "$s", "$l"},
    {"touch", "$s", "$l"},
    {"type", "$z"},
    {"keys", "*"},
    {"scan", "0", "COUNT", "100"},
    {"randomkey"},
    {"ttl", "$s"},
    {"pttl", "$h"},
    {"expiretime", "$l"},
    {"pexpiretime", "$st"},
    {"dbsize"},
    {"hget", "$h", "f"},
    {"hmget", "$h", "f", "g"},
    {"hexists", "$h", "f"},
    {"hlen", "$h"},
    {"hgetall", "$h"},
    {"hkeys", "$h"},
    {"hvals", "$h"},
    {"hstrlen", "$h", "f"},
    {"hscan", "$h", "0"},
    {"hrandfield", "$h", "-5", "WITHVALUES"},
    {"llen", "$l"},
    {"lrange", "$l", "0", "-1"},
    {"lindex", "$l", "1"},
    {"lpos", "$l", "b", "RANK", "1"},
    {"smembers", "$st"},
    {"sismember", "$st", "a"},
    {"smismember", "$st", "a", "q"},
    {"scard", "$st"},
    {"srandmember", "$st", "-4"},
    {"sinter", "$st", "$st"},
    {"sunion", "$st", "missing"},
    {"sdiff", "$st", "missing"},
    {"sintercard", "2", "$st", "$st", "LIMIT", "1"},
    {"sscan", "$st", "0", "MATCH", "*"},
    {"zscore", "$z", "a"},
    {"zmscore", "$z", "a", "q"},
    {"zcard", "$z"},
    {"zcount", "$z", "-inf", "+inf"},
    {"zlexcount", "$z", "-", "+"},
    {"zrange", "$z", "0", "-1", "WITHSCORES"},
    {"zrevrange", "$z", "0", "-1"},
    {"zrangebyscore", "$z", "1", "2"},
    {"zrevrangebyscore", "$z", "2", "1"},
    {"zrangebylex", "$z", "-", "+"},
    {"zrevrangebylex", "$z", "+", "-"},
    {"zrank", "$z", "b"},
    {"zrevrank", "$z", "b"},
    {"zrandmember", "$z", "-3", "WITHSCORES"},
    {"zscan", "$z", "0"},
    {"zunion", "2", "$z", "$z", "WITHSCORES"},
    {"zinter", "2", "$z", "$z"},
    {"zdiff", "2", "$z", "missing"},
    {"zintercard", "2", "$z", "$z", "LIMIT", "1"},
    {"lcs", "$s", "$s", "IDX", "WITHMATCHLEN"},
    {"sort_ro", "$l", "ALPHA", "BY", "$s*", "GET", "#", "GET", "$h*->f"},
    {"object", "encoding", "$l"},
    {"memory", "usage", "$h"},
    {"dump", "$z"},
    {"dump", "$strm"},
    {"geopos", "$z", "a", "missing"},
    {"geohash", "$z", "a", "missing"},
    {"geodist", "$z", "a", "b", "km"},
    {"georadius_ro", "$z", "0", "0", "500", "km", "WITHDIST"},
    {"georadiusbymember_ro", "$z", "a", "500", "km"},
    {"geosearch", "$z", "FROMMEMBER", "a", "BYBOX", "9", "9", "km", "COUNT", "1", "ANY"},
    {"getbit", "$s", "3"},
    {"bitcount", "$s", "0", "-1", "BIT"},
    {"bitpos", "$s", "1", "2"},
    {"bitfield_ro", "$s", "GET", "u8", "0"},
    {"pfcount", "missing"},
    {"pfcount", "missing", "missing2"},
    {"xrange", "$strm", "-", "+", "COUNT", "2"},
    {"xrevrange", "$strm", "+", "(1-1"},
    {"xlen", "$strm"},
    {"xpending", "grp", "g"},  // a group needs a live stream: "grp" is one
    {"xread", "COUNT", "1", "STREAMS", "$strm", "missing", "0", "0-0"},
    {"xinfo", "help"},
};

TEST_CASE("readonly commands emit nothing, on live and on expired keys") {
  std::set<std::string> sampled;
  for (const auto& sample : kReadonlySamples) sampled.insert(sample[0]);
  for (const CommandSpec& spec : AllCommands()) {
    // SAVE needs the snapshotter (tests/integration/snapshotter/test_bgsave.py).
    if ((spec.flags & kReadonly) && spec.name != "save") {
      INFO("readonly command without a sample: " << spec.name);
      CHECK(sampled.contains(std::string(spec.name)));
    }
  }

  Harness h;
  for (std::string prefix : {"", "x"}) {
    h.Run({"set", prefix + "s", "hello"});
    h.Run({"hset", prefix + "h", "f", "1", "g", "2"});
    h.Run({"rpush", prefix + "l", "a", "b", "c"});
    h.Run({"sadd", prefix + "st", "a", "b", "c"});
    h.Run({"zadd", prefix + "z", "1", "a", "2", "b", "3", "c"});
    h.Run({"xadd", prefix + "strm", "1-1", "f", "v"});
  }
  for (std::string key : {"xs", "xh", "xl", "xst", "xz", "xstrm"}) {
    REQUIRE(h.Run({"pexpire", key, "10"}) == ":1\r\n");
  }
  h.Run({"xgroup", "create", "grp", "g", "$", "mkstream"});
  h.now_ms += 1000;  // the x keys are now expired but still in the map
  h.sink.effects.clear();

  for (std::string prefix : {"", "x"}) {
    for (std::vector<std::string> argv : kReadonlySamples) {
      for (std::string& arg : argv) {
        if (arg.starts_with("$")) arg = prefix + arg.substr(1);
      }
      std::string reply = h.Run(argv);
      INFO(argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << " -> " << reply);
      CHECK(!reply.starts_with("-"));
      CHECK(h.sink.effects.empty());
    }
  }
  // Reads hide expired keys and never delete them: only a DEL effect may (replay sees the same).
  CHECK(h.state.db(0).size() == 13);  // 6 live, 6 expired, "grp"
  CHECK(h.Run({"exists", "xs", "xh", "xl", "xst", "xz"}) == ":0\r\n");
}

}  // namespace
}  // namespace strongbox::engine::testing
