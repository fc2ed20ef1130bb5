// The Lua engine with a fake host: replies of every RESP type reach the script as Redis
// converts them, errors come back in Redis's form, the memory cap and SCRIPT KILL turn into
// script errors while the state stays usable, and function libraries load and run.
#include "engine/scripting/lua_engine.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace strongbox::scripting::testing {
namespace {

// Answers every call with a canned reply and records the argv it got.
class FakeHost final : public ScriptHost {
 public:
  std::string canned = "+OK\r\n";
  std::vector<std::vector<std::string>> calls;
  bool wrote_ = false;

  void Call(std::span<const std::string_view> argv, int, std::string* reply) override {
    calls.emplace_back(argv.begin(), argv.end());
    reply->append(canned);
  }
  bool wrote() const override { return wrote_; }
  void Log(int, std::string_view) override {}
  int64_t busy_threshold_ms() const override { return threshold_ms; }
  bool WhileBusy() override { return ++busy_polls >= kill_after_polls; }

  int64_t threshold_ms = 5000;
  int busy_polls = 0;
  int kill_after_polls = 1 << 30;
};

std::string Eval(LuaEngine& lua, FakeHost& host, std::string_view body, int resp = 2,
                 std::vector<std::string_view> keys = {}) {
  std::string sha, error;
  if (!lua.Load(body, &sha, &error)) return error;
  std::string out;
  engine::RespWriter writer(&out, resp);
  lua.Run(sha, keys, {}, host, writer);
  return out;
}

TEST_CASE("redis.call passes strings and numbers and converts the reply") {
  LuaEngine lua;
  FakeHost host;
  host.canned = "*3\r\n:7\r\n$2\r\nhi\r\n$-1\r\n";
  CHECK(Eval(lua, host, "return redis.call('x', KEYS[1], 3.5, 1/3)", 2, {"k"}) ==
        "*3\r\n:7\r\n$2\r\nhi\r\n$-1\r\n");  // nil bulk -> false -> nil bulk
  REQUIRE(host.calls.size() == 1);
  CHECK(host.calls[0] == std::vector<std::string>{"x", "k", "3.5", "0.33333333333333331"});
  host.canned = "%1\r\n$1\r\na\r\n,2.5\r\n";
  CHECK(Eval(lua, host, "return redis.call('x')['map']['a']['double']") == ":2\r\n");
  CHECK(Eval(lua, host, "return {double = redis.call('x')['map']['a']['double']}", 3) ==
        ",2.5\r\n");
}

TEST_CASE("Errors from commands are raised by call and returned by pcall") {
  LuaEngine lua;
  FakeHost host;
  host.canned = "-WRONGTYPE bad\r\n";
  std::string sha = Sha1Hex("return redis.call('x')");
  CHECK(Eval(lua, host, "return redis.call('x')") ==
        "-WRONGTYPE bad script: " + sha + ", on @user_script:1.\r\n");
  CHECK(Eval(lua, host, "return redis.pcall('x')") == "-WRONGTYPE bad\r\n");
}

TEST_CASE("math.random is drand48: seeded with randomseed, one sequence across scripts") {
  LuaEngine lua;
  FakeHost host;
  // The first draw after srand48(0), as Redis's documentation shows it.
  CHECK(Eval(lua, host, "math.randomseed(0) return tostring(math.random())") ==
        "$16\r\n0.17082803611217\r\n");
  std::string next = Eval(lua, host, "return tostring(math.random())");
  CHECK(next != "$16\r\n0.17082803611217\r\n");
  CHECK(Eval(lua, host,
             "math.randomseed(7) local a = math.random(100) math.randomseed(7) "
             "return a == math.random(100) and a >= 1 and a <= 100") == ":1\r\n");
}

TEST_CASE("Compile errors and the sandbox use Redis's texts") {
  LuaEngine lua;
  FakeHost host;
  CHECK(Eval(lua, host, "return (") ==
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near "
        "'<eof>'");
  CHECK(Eval(lua, host, "x = 1").find("Attempt to modify a readonly table") != std::string::npos);
  CHECK(Eval(lua, host, "return os").find("nonexistent global variable 'os'") != std::string::npos);
  CHECK(Eval(lua, host, "setfenv(1, {}) return 1") == ":1\r\n");
  CHECK(Eval(lua, host, "return type(redis)") == "$5\r\ntable\r\n");  // env restored per run
}

TEST_CASE("Past the memory cap a script fails and the state keeps working") {
  ScriptLimits limits;
  limits.memory_bytes_max = size_t{8} << 20;
  LuaEngine lua(limits);
  FakeHost host;
  CHECK(Eval(lua, host, "local t = {} for i = 1, 1e7 do t[i] = i end").find("not enough memory") !=
        std::string::npos);
  CHECK(lua.memory_bytes() <= limits.memory_bytes_max);
  CHECK(Eval(lua, host, "return 5") == ":5\r\n");
}

TEST_CASE("A killed script is stopped, even when it catches errors") {
  LuaEngine lua;
  FakeHost host;
  host.threshold_ms = 0;
  host.kill_after_polls = 2;  // the host serves others once, then SCRIPT KILL arrives
  CHECK(Eval(lua, host, "while true do pcall(function() while true do end end) end")
            .find("Script killed by user with SCRIPT KILL") != std::string::npos);
  CHECK(host.busy_polls == 2);
  CHECK(Eval(lua, host, "return 6") == ":6\r\n");
}

TEST_CASE("A function library loads, runs with (keys, args) and keeps Redis's rules") {
  LuaEngine lua;
  FakeHost host;
  std::string name, error;
  std::string lib =
      "#!lua name=l1\nredis.register_function('f', function(k, a) return {k[1], a[1]} end)";
  REQUIRE(lua.LoadLibrary(lib, false, &name, &error));
  CHECK(name == "l1");
  CHECK_FALSE(lua.LoadLibrary(lib, false, &name, &error));
  CHECK(error == "ERR Library 'l1' already exists");
  CHECK_FALSE(lua.LoadLibrary("#!lua name=l2\nredis.register_function('f', function() end)", false,
                              &name, &error));
  CHECK(error == "ERR Function f already exists");
  REQUIRE(lua.LoadLibrary(lib, true, &name, &error));  // REPLACE keeps its own names
  const FunctionInfo* f = lua.FindFunction("f");
  REQUIRE(f != nullptr);
  std::string out;
  engine::RespWriter writer(&out, 2);
  std::vector<std::string_view> keys{"k"}, args{"a"};
  lua.RunFunction(*f, keys, args, host, writer);
  CHECK(out == "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  CHECK(lua.DeleteLibrary("l1"));
  CHECK(lua.FindFunction("f") == nullptr);
}

}  // namespace
}  // namespace strongbox::scripting::testing
