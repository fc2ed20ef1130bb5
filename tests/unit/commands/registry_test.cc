// The registry: every command's flags are consistent, lookup is case-insensitive, COMMAND lists
// every command, and a malformed spec stops the process at registration.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <set>
#include <string>

#include "engine/commands/command_registry.h"
#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine::testing {
namespace {

std::set<std::string> NamesWith(uint32_t flag) {
  std::set<std::string> names;
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.flags & flag) names.insert(std::string(spec.name));
  }
  return names;
}

TEST_CASE("every registered command has a consistent flag set") {
  REQUIRE(AllCommands().size() > 100);
  for (const CommandSpec& spec : AllCommands()) {
    INFO(spec.name);
    bool write = spec.flags & kWrite, readonly = spec.flags & kReadonly;
    CHECK_FALSE((write && readonly));
    if (spec.flags & kDenyOom) CHECK(write);
    if (spec.flags & kMayBlock) CHECK((write || readonly));
    if (spec.flags & kNoMulti) CHECK_FALSE((write || readonly));
    // A command that names keys works on data: it is a write or a read (WATCH aside).
    if (spec.first_key > 0 && !(spec.flags & kNoMulti)) CHECK((write || readonly));
    CHECK(spec.handler != nullptr);
    CHECK(spec.arity != 0);
  }
  CHECK(NamesWith(kNoMulti) == std::set<std::string>{"multi", "exec", "discard", "watch", "unwatch",
                                                     "quit", "reset", "shutdown"});
  CHECK(NamesWith(kMayBlock) == std::set<std::string>{"blpop", "brpop", "blmove", "brpoplpush",
                                                      "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
                                                      "xread", "xreadgroup", "save"});
  CHECK(NamesWith(kNoAuth) == std::set<std::string>{"auth", "hello", "quit", "reset"});
  for (std::string name : {"set", "del", "flushall", "spop", "copy", "zrangestore"}) {
    CHECK(NamesWith(kWrite).contains(name));
  }
}

TEST_CASE("FindCommand is case-insensitive and finds every registered command") {
  const CommandSpec* get = FindCommand("get");
  REQUIRE(get != nullptr);
  CHECK(get->name == "get");
  CHECK(FindCommand("GET") == get);
  CHECK(FindCommand("gEt") == get);
  CHECK(FindCommand("ZREVRANGEBYSCORE") == FindCommand("zrevrangebyscore"));
  CHECK(FindCommand("") == nullptr);
  CHECK(FindCommand("nosuch") == nullptr);
  CHECK(FindCommand(std::string(CommandRegistry::kNameBytesMax + 1, 'a')) == nullptr);
  for (const CommandSpec& spec : AllCommands()) CHECK(FindCommand(spec.name) == &spec);
}

TEST_CASE("COMMAND lists every registered command") {
  Harness h;
  size_t n = AllCommands().size();
  CHECK(h.Run({"command", "count"}) == ":" + std::to_string(n) + "\r\n");
  // LIST names each command, in registration order, followed by its documented subcommands.
  std::string list = h.Run({"command", "list"});
  size_t at = list.find("\r\n") + 2;
  for (const CommandSpec& spec : AllCommands()) {
    std::string row = "$" + std::to_string(spec.name.size()) + "\r\n" + std::string(spec.name);
    at = list.find(row + "\r\n", at);
    REQUIRE(at != std::string::npos);
  }
  CHECK(list.find("$10\r\nconfig|get\r\n") != std::string::npos);
  CHECK(list.find("client|tracking") == std::string::npos);  // Redis's, not implemented here
  CHECK(h.Run({"command"}).starts_with("*" + std::to_string(n) + "\r\n*10\r\n"));
  // COMMAND INFO reports the flags Redis tools read.
  // Then ACL categories, tips, one key spec (index 1 to the last but one), no subcommands.
  std::string blpop = h.Run({"command", "info", "blpop"});
  CHECK(blpop.starts_with(
      "*1\r\n*10\r\n$5\r\nblpop\r\n:-3\r\n*3\r\n+write\r\n+noscript\r\n+blocking\r\n:1\r\n"
      ":-2\r\n:1\r\n*4\r\n+@write\r\n+@list\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n"));
  CHECK(blpop.ends_with(
      "$7\r\nlastkey\r\n:-2\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"));
  CHECK(h.Run({"command", "info", "SET"})
            .starts_with("*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n"));
}

// Runs `add` on a fresh registry in a child process; true if the child aborted.
template <typename F>
bool Aborts(F add) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // Catch's handler would report the abort as a failure
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    CommandRegistry r;
    add(r);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

void Noop(CommandContext&) {}

TEST_CASE("registration stops the process on a malformed spec") {
  CHECK_FALSE(Aborts([](CommandRegistry& r) { r.Add({"ok", 1, kReadonly, 0, 0, 0, Noop}); }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"both", 1, kWrite | kReadonly, 0, 0, 0, Noop}); }));
  CHECK(Aborts([](CommandRegistry& r) {
    r.Add({"twice", 1, kReadonly, 0, 0, 0, Noop});
    r.Add({"twice", 1, kReadonly, 0, 0, 0, Noop});
  }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"Upper", 1, kReadonly, 0, 0, 0, Noop}); }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"pop", -2, kMayBlock, 1, 1, 1, Noop}); }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"ctl", 1, kNoMulti | kWrite, 0, 0, 0, Noop}); }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"none", 1, kReadonly, 0, 0, 0, nullptr}); }));
  CHECK(Aborts([](CommandRegistry& r) { r.Add({"keyed", 2, kFast, 1, 1, 1, Noop}); }));
  CHECK_FALSE(Aborts([](CommandRegistry& r) { r.Add({"w", -2, kNoMulti, 1, -1, 1, Noop}); }));
}

}  // namespace
}  // namespace strongbox::engine::testing
