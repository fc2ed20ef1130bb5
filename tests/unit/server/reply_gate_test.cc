// The reply gate: with --fsync always no reply byte becomes sendable before the LSN it depends
// on is durable, replies keep their order, and breaking the invariant stops the process.
#include "engine/server/reply_gate.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

using strongbox::engine::Conn;
using strongbox::engine::ConnMap;
using strongbox::engine::FsyncMode;
using strongbox::engine::ReleaseBounds;
using strongbox::engine::ReplyGate;
using strongbox::engine::ReplyWait;

namespace {

Conn& AddConn(ConnMap& conns, uint64_t id) {
  auto c = std::make_unique<Conn>();
  c->id = id;
  Conn& ref = *c;
  conns.emplace(id, std::move(c));
  return ref;
}

// Without --min-replicas-ack: what is durable is releasable.
ReleaseBounds Both(uint64_t lsn) { return ReleaseBounds{lsn, lsn}; }

}  // namespace

TEST_CASE("always: a reply waits for its LSN, later replies queue behind it") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 1);
  c.out = "+OK\r\n";  // a write assigned LSN 5, durable is 4
  gate.Tag(c, 5, Both(4), ReplyWait::kReplicas);
  CHECK(c.out_sendable == 0);
  CHECK(gate.held_connections() == 1);
  CHECK(gate.TakeSendQueue().empty());
  c.out += "$1\r\nv\r\n";  // a read after it: depends on LSN 5 too
  gate.Tag(c, 5, Both(4), ReplyWait::kReplicas);
  c.out += ":1\r\n";  // a later write, LSN 6
  gate.Tag(c, 6, Both(4), ReplyWait::kReplicas);
  gate.Release(Both(5));
  CHECK(c.out_sendable == std::string("+OK\r\n$1\r\nv\r\n").size());
  CHECK(gate.TakeSendQueue() == std::vector<uint64_t>{1});
  gate.TakeSendable(c, 5);
  CHECK(c.sending == "+OK\r\n$1\r\nv\r\n");
  CHECK(c.out == ":1\r\n");
  CHECK(c.holds.size() == 1);
  CHECK(c.holds.front().end == 4);  // offsets follow the bytes that left
  gate.Release(Both(6));
  CHECK(c.out_sendable == 4);
  CHECK(gate.held_connections() == 0);
}

TEST_CASE("always: a reply whose LSN is already durable leaves at once") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 7);
  c.out = "+PONG\r\n";
  gate.Tag(c, 3, Both(3), ReplyWait::kReplicas);
  CHECK(c.out_sendable == c.out.size());
  CHECK(gate.TakeSendQueue() == std::vector<uint64_t>{7});
  CHECK(gate.TakeSendQueue().empty());  // queued once
}

TEST_CASE("interval: replies are not held for durability") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kInterval, conns);
  Conn& c = AddConn(conns, 2);
  c.out = "+OK\r\n";
  gate.Tag(c, 10, Both(1), ReplyWait::kReplicas);
  CHECK(c.out_sendable == c.out.size());
  gate.TakeSendable(c, 1);  // allowed: interval mode does not wait
  CHECK(c.sending == "+OK\r\n");
}

TEST_CASE("released connections that closed meanwhile are skipped") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 3);
  c.out = "+OK\r\n";
  gate.Tag(c, 2, Both(1), ReplyWait::kReplicas);
  conns.clear();
  gate.Release(Both(2));
  CHECK(gate.held_connections() == 0);
}

TEST_CASE("sending a reply before its LSN is durable stops the process") {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // Catch's handler would report the abort as a failure
    (void)std::freopen("/dev/null", "w", stderr);
    ConnMap conns;
    ReplyGate gate(FsyncMode::kAlways, conns);
    Conn& c = AddConn(conns, 1);
    c.out = "+OK\r\n";
    gate.Tag(c, 9, Both(9), ReplyWait::kReplicas);  // durable: sendable
    gate.TakeSendable(c, 8);  // but the caller claims durable went back to 8: a bug
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));
}

TEST_CASE("always: a log restarted at a lower LSN (full resync) rebases released and held tags") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& sent = AddConn(conns, 1);
  sent.out = "+PONG\r\n";
  gate.Tag(sent, 659, ReleaseBounds{659, 659},
           ReplyWait::kReplicas);  // answered under the old log, at LSN 659
  gate.TakeSendable(sent, 659);
  Conn& held = AddConn(conns, 2);
  held.out = "$1\r\nv\r\n";
  gate.Tag(held, 660, ReleaseBounds{659, 659},
           ReplyWait::kReplicas);  // waits for the old log's LSN 660, which will never come
  gate.Rebase(415);                // the primary's log: durable to 415
  CHECK(sent.lsn_released == 415);
  sent.out = "+OK\r\n";
  gate.Tag(sent, 415, ReleaseBounds{415, 415}, ReplyWait::kReplicas);
  gate.TakeSendable(sent, 415);  // would stop the process with the old tag 659
  CHECK(sent.sending == "+OK\r\n");
  gate.Release(ReleaseBounds{415, 415});
  CHECK(held.out_sendable == held.out.size());
  CHECK(gate.held_connections() == 0);
}

TEST_CASE("min-replicas-ack: a local-durability reply leaves before replicas acknowledge") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& writer = AddConn(conns, 1);
  Conn& admin = AddConn(conns, 2);
  writer.out = "+OK\r\n";  // a write, LSN 5: durable here, no replica acknowledged it
  gate.Tag(writer, 5, ReleaseBounds{5, 4}, ReplyWait::kReplicas);
  admin.out = "$4\r\nrole\r\n";  // INFO / ROLE after it on another connection
  gate.Tag(admin, 5, ReleaseBounds{5, 4}, ReplyWait::kLocalDurability);
  CHECK(writer.out_sendable == 0);
  CHECK(admin.out_sendable == admin.out.size());
  gate.TakeSendable(admin, 5);  // the invariant is local durability: it holds
  CHECK(admin.sending == "$4\r\nrole\r\n");
}

TEST_CASE("min-replicas-ack: a local-durability reply keeps its connection's order") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 1);
  c.out = ":1\r\n";  // a write, LSN 6, waiting for a replica
  gate.Tag(c, 6, ReleaseBounds{6, 5}, ReplyWait::kReplicas);
  c.out += "+info\r\n";  // INFO after it on the same connection: queues behind it
  gate.Tag(c, 6, ReleaseBounds{6, 5}, ReplyWait::kLocalDurability);
  c.out += "+role\r\n";  // a later local-durability reply, LSN 7 not durable yet
  gate.Tag(c, 7, ReleaseBounds{6, 5}, ReplyWait::kLocalDurability);
  gate.Release(ReleaseBounds{7, 5});  // durable, still not acknowledged: nothing may pass
  CHECK(c.out_sendable == 0);
  gate.Release(ReleaseBounds{7, 6});
  CHECK(c.out_sendable == c.out.size());
  CHECK(gate.held_connections() == 0);
}

TEST_CASE("min-replicas-ack: a replica-waiting reply never joins a local one's hold") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 1);
  c.out = "+info\r\n";  // LSN 8 assigned, not durable: a local-durability hold
  gate.Tag(c, 8, ReleaseBounds{7, 7}, ReplyWait::kLocalDurability);
  c.out += "$1\r\nv\r\n";  // a read of the same LSN: must wait for the replicas
  gate.Tag(c, 8, ReleaseBounds{7, 7}, ReplyWait::kReplicas);
  gate.Release(ReleaseBounds{8, 7});
  CHECK(c.out_sendable == std::string("+info\r\n").size());
  gate.Release(ReleaseBounds{8, 8});
  CHECK(c.out_sendable == c.out.size());
}
