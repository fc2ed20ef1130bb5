// MULTI/EXEC through Dispatch: kNoMulti commands run at once, the rest is queued; EXEC runs the
// queue into the one sink of its call, aborts after a queued error, and yields to a dirty WATCH.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine::testing {
namespace {

TEST_CASE("MULTI queues commands and EXEC runs them, all effects in the one call's sink") {
  Harness h;
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"INCR", "k"}) == "+QUEUED\r\n");
  CHECK(h.Run({"get", "k"}) == "+QUEUED\r\n");
  CHECK(h.Run({"lpush", "k", "x"}) == "+QUEUED\r\n");  // type errors show only at EXEC
  CHECK(h.sink.effects.empty());
  CHECK(h.state.db(0).size() == 0);

  CHECK(h.Run({"exec"}) ==
        "*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n"
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(h.sink.effects == std::vector<Effect>{{0, {"SET", "k", "1"}}, {0, {"SET", "k", "2"}}});
  CHECK_FALSE(h.client.in_multi);
  CHECK_FALSE(h.client.in_exec);
  CHECK(h.Run({"exec"}) == "-ERR EXEC without MULTI\r\n");
}

TEST_CASE("a queued error aborts EXEC and nothing runs") {
  Harness h;
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"nosuch", "a"}) ==
        "-ERR unknown command 'nosuch', with args beginning with: 'a' \r\n");
  CHECK(h.Run({"get"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"exec"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(h.sink.effects.empty());
  CHECK(h.state.db(0).size() == 0);
  CHECK_FALSE(h.client.in_multi);
}

TEST_CASE("DISCARD drops the queue; EXEC and DISCARD need a MULTI") {
  Harness h;
  CHECK(h.Run({"discard"}) == "-ERR DISCARD without MULTI\r\n");
  CHECK(h.Run({"exec"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"discard"}) == "+OK\r\n");
  CHECK(h.Run({"exec"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.sink.effects.empty());
}

TEST_CASE("transaction control runs at once inside MULTI") {
  Harness h;
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"multi"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(h.Run({"watch", "k"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(h.Run({"unwatch"}) == "+OK\r\n");
  CHECK(h.client.in_multi);
  CHECK(h.Run({"set", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"exec"}) == "*1\r\n+OK\r\n");  // the nested MULTI did not abort it

  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"quit"}) == "+OK\r\n");
  CHECK(h.client.close_after_reply);
}

TEST_CASE("a queued write meets MISCONF at EXEC when the engine turned read-only") {
  Harness h;
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"get", "k"}) == "+QUEUED\r\n");
  h.server.is_read_only = true;
  CHECK(h.Run({"exec"}) == "*2\r\n-MISCONF volume full\r\n$-1\r\n");
  CHECK(h.sink.effects.empty());
}

TEST_CASE("NOAUTH inside MULTI aborts the transaction") {
  Harness h;
  h.server.password = "secret";
  CHECK(h.Run({"multi"}) == "-NOAUTH Authentication required.\r\n");
  h.client.in_multi = true;  // as if MULTI had been sent before the password was set
  CHECK(h.Run({"get", "k"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"exec"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.client.multi_error);
}

TEST_CASE("a watched key written by another client makes EXEC return a null array") {
  Harness h;
  ClientSession other;
  other.id = 2;
  CHECK(h.Run({"watch", "k"}) == "+OK\r\n");
  CHECK(h.Run(other, {"set", "k", "theirs"}) == "+OK\r\n");
  CHECK(h.client.watch_dirty);
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(h.Run({"exec"}) == "*-1\r\n");
  CHECK(h.Run({"get", "k"}) == "$6\r\ntheirs\r\n");
  CHECK(h.sink.effects == std::vector<Effect>{{0, {"SET", "k", "theirs"}}});

  // EXEC unwatched everything: the next transaction runs.
  CHECK_FALSE(h.client.watch_dirty);
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(h.Run({"exec"}) == "*1\r\n+OK\r\n");
}

TEST_CASE("UNWATCH forgets a dirty watch") {
  Harness h;
  ClientSession other;
  CHECK(h.Run({"watch", "k"}) == "+OK\r\n");
  CHECK(h.Run(other, {"set", "k", "theirs"}) == "+OK\r\n");
  CHECK(h.Run({"unwatch"}) == "+OK\r\n");
  CHECK(h.Run({"multi"}) == "+OK\r\n");
  CHECK(h.Run({"set", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(h.Run({"exec"}) == "*1\r\n+OK\r\n");
}

}  // namespace
}  // namespace strongbox::engine::testing
