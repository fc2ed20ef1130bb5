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
using strongbox::engine::ReplyGate;

namespace {

Conn& AddConn(ConnMap& conns, uint64_t id) {
  auto c = std::make_unique<Conn>();
  c->id = id;
  Conn& ref = *c;
  conns.emplace(id, std::move(c));
  return ref;
}

}  // namespace

TEST_CASE("always: a reply waits for its LSN, later replies queue behind it") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 1);
  c.out = "+OK\r\n";  // a write assigned LSN 5, durable is 4
  gate.Tag(c, 5, 4);
  CHECK(c.out_sendable == 0);
  CHECK(gate.held_connections() == 1);
  CHECK(gate.TakeSendQueue().empty());
  c.out += "$1\r\nv\r\n";  // a read after it: depends on LSN 5 too
  gate.Tag(c, 5, 4);
  c.out += ":1\r\n";  // a later write, LSN 6
  gate.Tag(c, 6, 4);
  gate.Release(5);
  CHECK(c.out_sendable == std::string("+OK\r\n$1\r\nv\r\n").size());
  CHECK(gate.TakeSendQueue() == std::vector<uint64_t>{1});
  gate.TakeSendable(c, 5);
  CHECK(c.sending == "+OK\r\n$1\r\nv\r\n");
  CHECK(c.out == ":1\r\n");
  CHECK(c.holds.size() == 1);
  CHECK(c.holds.front().second == 4);  // offsets follow the bytes that left
  gate.Release(6);
  CHECK(c.out_sendable == 4);
  CHECK(gate.held_connections() == 0);
}

TEST_CASE("always: a reply whose LSN is already durable leaves at once") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 7);
  c.out = "+PONG\r\n";
  gate.Tag(c, 3, 3);
  CHECK(c.out_sendable == c.out.size());
  CHECK(gate.TakeSendQueue() == std::vector<uint64_t>{7});
  CHECK(gate.TakeSendQueue().empty());  // queued once
}

TEST_CASE("interval: replies are not held for durability") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kInterval, conns);
  Conn& c = AddConn(conns, 2);
  c.out = "+OK\r\n";
  gate.Tag(c, 10, 1);
  CHECK(c.out_sendable == c.out.size());
  gate.TakeSendable(c, 1);  // allowed: interval mode does not wait
  CHECK(c.sending == "+OK\r\n");
}

TEST_CASE("released connections that closed meanwhile are skipped") {
  ConnMap conns;
  ReplyGate gate(FsyncMode::kAlways, conns);
  Conn& c = AddConn(conns, 3);
  c.out = "+OK\r\n";
  gate.Tag(c, 2, 1);
  conns.clear();
  gate.Release(2);
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
    gate.Tag(c, 9, 9);        // durable: sendable
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
  gate.Tag(sent, 659, 659);  // answered under the old log, at LSN 659
  gate.TakeSendable(sent, 659);
  Conn& held = AddConn(conns, 2);
  held.out = "$1\r\nv\r\n";
  gate.Tag(held, 660, 659);  // waits for the old log's LSN 660, which will never come
  gate.Rebase(415);          // the primary's log: durable to 415
  CHECK(sent.lsn_released == 415);
  sent.out = "+OK\r\n";
  gate.Tag(sent, 415, 415);
  gate.TakeSendable(sent, 415);  // would stop the process with the old tag 659
  CHECK(sent.sending == "+OK\r\n");
  gate.Release(415);
  CHECK(held.out_sendable == held.out.size());
  CHECK(gate.held_connections() == 0);
}
