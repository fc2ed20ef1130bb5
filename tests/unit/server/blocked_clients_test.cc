// Blocked clients: woken in the order they blocked when a write touches their key, timed out
// at their deadline, forgotten when they leave.
#include "engine/server/blocked_clients.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using strongbox::engine::BlockedClients;
using strongbox::engine::Conn;
using strongbox::engine::ConnMap;

namespace {

Conn& Park(ConnMap& conns, BlockedClients& blocked, uint64_t id, std::string key,
           int64_t deadline_ms) {
  auto c = std::make_unique<Conn>();
  c->id = id;
  Conn& ref = *c;
  conns.emplace(id, std::move(c));
  ref.session.block.active = true;
  ref.session.block.keys = {{0, key}};
  ref.session.block.deadline_ms = deadline_ms;
  std::vector<std::string_view> argv = {"BLPOP", key, "0"};
  blocked.Park(ref, argv);
  return ref;
}

}  // namespace

TEST_CASE("a touched key re-runs its blocked clients in the order they blocked") {
  ConnMap conns;
  BlockedClients blocked(conns);
  Park(conns, blocked, 1, "q", 0);
  Park(conns, blocked, 2, "q", 0);
  Park(conns, blocked, 3, "other", 0);
  CHECK(blocked.count() == 3);
  blocked.OnKeyTouched(0, "q");
  blocked.OnKeyTouched(1, "q");  // another database: nobody waits there
  std::vector<uint64_t> order;
  blocked.ServeReady([&](Conn& c, std::span<const std::string_view> argv) {
    order.push_back(c.id);
    CHECK(argv[0] == "BLPOP");
    CHECK(!c.blocked);
  });
  CHECK(order == std::vector<uint64_t>{1, 2});
  CHECK(blocked.count() == 1);
}

TEST_CASE("deadlines unpark; a client that leaves is forgotten") {
  ConnMap conns;
  BlockedClients blocked(conns);
  Park(conns, blocked, 1, "q", 100);
  Conn& leaving = Park(conns, blocked, 2, "q", 0);
  std::vector<uint64_t> timed_out;
  blocked.ExpireDue(99, [&](Conn& c) { timed_out.push_back(c.id); });
  CHECK(timed_out.empty());
  blocked.ExpireDue(100, [&](Conn& c) { timed_out.push_back(c.id); });
  CHECK(timed_out == std::vector<uint64_t>{1});
  blocked.Unpark(leaving);
  CHECK(blocked.count() == 0);
  blocked.OnKeyTouched(0, "q");
  int reruns = 0;
  blocked.ServeReady([&](Conn&, std::span<const std::string_view>) { ++reruns; });
  CHECK(reruns == 0);
}

TEST_CASE("a touched database re-runs the clients parked on its keys (SWAPDB)") {
  ConnMap conns;
  BlockedClients blocked(conns);
  Park(conns, blocked, 1, "q", 0);
  Park(conns, blocked, 2, "r", 0);
  std::vector<uint64_t> order;
  auto rerun = [&](Conn& c, std::span<const std::string_view>) { order.push_back(c.id); };
  blocked.OnDatabaseTouched(1);  // nobody waits in database 1
  blocked.ServeReady(rerun);
  CHECK(order.empty());
  blocked.OnDatabaseTouched(0);
  blocked.ServeReady(rerun);
  CHECK(order.size() == 2);
  CHECK(blocked.count() == 0);
  Park(conns, blocked, 3, "s", 0);
  blocked.OnDatabaseTouched(-1);
  blocked.ServeReady(rerun);
  CHECK(order.back() == 3);
}

TEST_CASE("a client parked again by its re-run keeps its first deadline") {
  ConnMap conns;
  BlockedClients blocked(conns);
  Park(conns, blocked, 1, "q", 100);
  blocked.OnKeyTouched(0, "q");
  blocked.ServeReady([&](Conn& c, std::span<const std::string_view> argv) {
    c.session.block.active = true;  // as the handler does: a later deadline, parked again
    c.session.block.keys = {{0, "q"}};
    c.session.block.deadline_ms = 500;
    blocked.Park(c, argv);
  });
  CHECK(blocked.count() == 1);
  std::vector<uint64_t> timed_out;
  blocked.ExpireDue(100, [&](Conn& c) { timed_out.push_back(c.id); });
  CHECK(timed_out == std::vector<uint64_t>{1});
}
