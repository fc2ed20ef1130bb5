// The CONFIG table: redis.conf values and lines, Redis 7.0's GET matching and SET errors,
// all-or-nothing SET, and what REWRITE keeps, replaces and appends.
#include "engine/server/config_registry.h"

#include <catch2/catch.hpp>

namespace strongbox::engine {
namespace {

// A table of two settable integers (one with an alias), a special that refuses "bad", and a
// fixed fact; the values live in the test.
struct Table {
  int64_t a = 1, b = 2;
  std::string special = "ok";
  ConfigRegistry registry;

  Table() {
    registry.Add(Int("alpha", &a, {"alpha-old"}));
    registry.Add(Int("beta", &b, {}));
    ConfigParam s;
    s.name = "special";
    s.type = ConfigType::kSpecial;
    s.get = [this] { return special; };
    s.set = [this](std::string_view v) {
      if (v == "bad") return std::string("not that");
      special = std::string(v);
      return std::string();
    };
    s.default_value = "ok";
    registry.Add(std::move(s));
    ConfigParam fixed;
    fixed.name = "fixed";
    fixed.get = [] { return std::string("16"); };
    fixed.rewritable = false;
    registry.Add(std::move(fixed));
  }

  static ConfigParam Int(std::string name, int64_t* v, std::vector<std::string> aliases) {
    ConfigParam p;
    p.name = std::move(name);
    p.aliases = std::move(aliases);
    p.type = ConfigType::kInt;
    p.min = 0;
    p.max = 100;
    p.get = [v] { return std::to_string(*v); };
    p.set = [v](std::string_view s) {
      *v = std::stoll(std::string(s));
      return std::string();
    };
    p.default_value = p.get();
    return p;
  }

  std::string Set(std::vector<std::string_view> argv) { return registry.Set(argv); }
};

TEST_CASE("Memory values take redis.conf units") {
  CHECK(ParseMemoryValue("100") == 100);
  CHECK(ParseMemoryValue("1k") == 1000);
  CHECK(ParseMemoryValue("1KB") == 1024);
  CHECK(ParseMemoryValue("2gb") == (2ll << 30));
  CHECK(ParseMemoryValue("5mb") == (5ll << 20));
  CHECK_FALSE(ParseMemoryValue("abc"));
  CHECK_FALSE(ParseMemoryValue(" 5"));
  CHECK_FALSE(ParseMemoryValue("5 mb"));
  CHECK_FALSE(ParseMemoryValue("mb"));
  CHECK_FALSE(ParseMemoryValue("99999999999999gb"));
}

TEST_CASE("Config lines: comments, quotes, several arguments, and quoting back") {
  CHECK_FALSE(ParseConfigLine("# port 1"));
  CHECK_FALSE(ParseConfigLine("   "));
  CHECK(ParseConfigLine("PORT 6380") == std::make_pair(std::string("port"), std::string("6380")));
  CHECK(ParseConfigLine("save \"\"")->second.empty());
  CHECK(ParseConfigLine("client-output-buffer-limit normal 0 0 0")->second == "normal 0 0 0");
  CHECK(ParseConfigLine("requirepass \"a \\\"b\\\"\"")->second == "a \"b\"");
  for (std::string value : {"", "plain", "two words", "a  b", "q\"uote", "#x", " lead"}) {
    CHECK(ParseConfigLine("x " + QuoteConfigValue(value))->second == value);
  }
}

TEST_CASE("GET: exact names as given, globs over names and aliases, each once") {
  Table t;
  std::vector<std::string_view> exact = {"ALPHA", "alpha-old", "nope"};
  auto got = t.registry.Get(exact);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == ConfigPair{"ALPHA", "1"});
  CHECK(got[1] == ConfigPair{"alpha-old", "1"});
  std::vector<std::string_view> globs = {"al*", "*", "beta"};
  CHECK(t.registry.Get(globs).size() == 5);  // alpha, alpha-old, beta, special, fixed
}

TEST_CASE("SET: Redis 7.0's errors, names checked before values") {
  Table t;
  CHECK(t.Set({"nope", "1"}) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'nope'");
  CHECK(
      t.Set({"alpha", "x", "fixed", "1"}) ==
      "ERR CONFIG SET failed (possibly related to argument 'fixed') - can't set immutable config");
  CHECK(t.Set({"alpha", "1", "ALPHA-OLD", "2"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'ALPHA-OLD') - duplicate parameter");
  CHECK(t.Set({"alpha", "x"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'alpha') - "
        "argument couldn't be parsed into an integer");
  CHECK(t.Set({"alpha", " 5"}).ends_with("argument couldn't be parsed into an integer"));
  CHECK(t.Set({"beta", "101"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'beta') - "
        "argument must be between 0 and 100 inclusive");
  CHECK(t.a == 1);
  CHECK(t.b == 2);
}

TEST_CASE("SET is all or nothing, a setter's refusal included") {
  Table t;
  CHECK(t.Set({"alpha", "7", "special", "bad"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'special') - not that");
  CHECK(t.a == 1);  // applied, then put back
  CHECK(t.Set({"alpha-old", "7", "beta", "8", "special", "new"}).empty());
  CHECK(t.a == 7);
  CHECK(t.b == 8);
  CHECK(t.special == "new");
}

TEST_CASE("REWRITE keeps comments and unknown lines, replaces ours once, appends changes") {
  Table t;
  t.a = 5;
  t.special = "two words";
  std::string old_text =
      "# my comment\n"
      "daemonize no\n"
      "alpha-old 3\n"
      "fixed 16\n"
      "alpha 4\n"
      "beta 2\n";
  CHECK(t.registry.RewriteText(old_text) ==
        "# my comment\n"
        "daemonize no\n"
        "alpha 5\n"
        "fixed 16\n"
        "beta 2\n"
        "# Generated by CONFIG REWRITE\n"
        "special two words\n");
  CHECK(t.registry.RewriteText("") ==
        "# Generated by CONFIG REWRITE\nalpha 5\nspecial two words\n");
}

TEST_CASE("REWRITE of a role-like parameter: written while set, removed while empty") {
  ConfigRegistry registry;
  std::string role;
  ConfigParam p;
  p.name = "replicaof";
  p.aliases = {"slaveof"};
  p.type = ConfigType::kSpecial;
  p.get = [&role] { return role; };
  p.omit_when_empty = true;
  registry.Add(std::move(p));
  std::string old_text = "slaveof a 1\n# note\nreplicaof b 2\n";
  role = "c 3";
  CHECK(registry.RewriteText(old_text) == "replicaof c 3\n# note\n");
  CHECK(registry.RewriteText("") == "# Generated by CONFIG REWRITE\nreplicaof c 3\n");
  role.clear();
  CHECK(registry.RewriteText(old_text) == "# note\n");
  CHECK(registry.RewriteText("") == "");
}

}  // namespace
}  // namespace strongbox::engine
