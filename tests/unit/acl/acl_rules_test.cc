// ACL SETUSER's rule parser, how GETUSER/LIST describe the result (expected strings are what
// redis-server 7.0 answered for the same rules), the categories, and the key and channel checks.
#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_store.h"
#include "engine/acl/acl_user.h"
#include "engine/commands/command_registry.h"

namespace strongbox::engine::acl {
namespace {

User Make(std::initializer_list<std::string_view> rules) {
  User user("u");
  for (std::string_view rule : rules) REQUIRE(ApplyRule(user, rule).empty());
  return user;
}

Selector Root(std::initializer_list<std::string_view> rules) { return Make(rules).root; }

Denial Verdict(const User& user, std::vector<std::string_view> argv) {
  const CommandSpec* spec = FindCommand(argv[0]);
  REQUIRE(spec != nullptr);
  return Check(user, *spec, argv).denial;
}

TEST_CASE("command rules are described as redis-server 7.0 describes them") {
  CHECK(DescribeCommands(Root({"+@read", "-get", "+client|list"})) ==
        "-@all +@read +client|list -get");
  CHECK(DescribeCommands(Root({"+get", "+set", "-get", "+@all", "-@string", "+get"})) ==
        "+@all -@string +get");
  CHECK(DescribeCommands(Root({"+@read", "+@write", "-@read"})) == "-@all +@write");
  CHECK(DescribeCommands(Root({"allcommands", "nocommands", "+select"})) == "-@all +select");
  CHECK(DescribeCommands(Root({"+select|0", "+select|1"})) == "-@all +select|0 +select|1");
  CHECK(DescribeCommands(Root({"+select|0", "+select"})) == "-@all +select");
  CHECK(DescribeCommands(Selector()) == "-@all");
}

TEST_CASE("a full user line lists flags, hashes, keys, channels and commands") {
  User user = Make({"on", ">p1", "~k*", "+@read", "&ch*", "%R~r*"});
  CHECK(DescribeUser(user) ==
        "user u on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~k* %R~r* "
        "resetchannels &ch* -@all +@read");
  CHECK(DescribeUser(OpenDefaultUser()) == "user default on nopass ~* &* +@all");
  CHECK(DescribeKeys(Root({"%R~a", "%W~b", "%RW~c", "~d", "%W~a"})) == "~a %W~b ~c ~d");
}

TEST_CASE("bad rules get Redis 7.0's reasons") {
  User user("u");
  CHECK(ApplyRule(user, "foo") == "Syntax error");
  CHECK(ApplyRule(user, "+nosuch") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "+@nosuch") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "-select|0") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "+client|nosuch") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "%X~a") == "Syntax error");
  CHECK(ApplyRule(user, "<nopw") ==
        "The password you are trying to remove from the user does not exist");
  CHECK(ApplyRule(user, "#abc").rfind("The password hash must be exactly 64", 0) == 0);
  REQUIRE(ApplyRule(user, "~*").empty());
  CHECK(ApplyRule(user, "~a").rfind("Adding a pattern after the * pattern (or the 'allkeys'", 0) ==
        0);
  REQUIRE(ApplyRule(user, "&*").empty());
  CHECK(ApplyRule(user, "&a").find("'allchannels'") != std::string::npos);
}

TEST_CASE("first-argument and key-permission rules follow redis-server 7.0") {
  User user("u");
  CHECK(ApplyRule(user, "+select|0|1") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "+client|list|x") == "Allowing first-arg of a subcommand is not supported");
  CHECK(ApplyRule(user, "+get|") == "Syntax error");
  CHECK(ApplyRule(user, "+client|") == "Syntax error");
  CHECK(ApplyRule(user, "+nosuch|x") == "Unknown command or category name in ACL");
  CHECK(ApplyRule(user, "%RR~a") == "Syntax error");
  CHECK(ApplyRule(user, "%~a") == "Syntax error");
  CHECK(ApplyRule(user, "%Rx~a") == "Syntax error");
  CHECK(DescribeCommands(Root({"+select|A", "+select|a"})) == "-@all +select|A");  // as written
  CHECK(DescribeKeys(Root({"%R"})) == "%R~");  // no '~': the empty pattern
  CHECK(DescribeKeys(Root({"%RW"})) == "~");
  CHECK(DescribeKeys(Root({"%r~a"})) == "%R~a");
}

TEST_CASE("SET needs read access only with GET; BITFIELD with only GETs only reads") {
  User user = Make({"+@all", "%W~w*", "%R~r*"});
  CHECK(Verdict(user, {"set", "w1", "v"}) == Denial::kNone);
  CHECK(Verdict(user, {"set", "w1", "v", "get"}) == Denial::kKey);
  CHECK(Verdict(user, {"set", "w1", "v", "EX", "10"}) == Denial::kNone);
  CHECK(Verdict(user, {"bitfield", "r1", "get", "u8", "0"}) == Denial::kNone);
  CHECK(Verdict(user, {"bitfield", "r1", "overflow", "sat", "get", "u8", "0"}) == Denial::kNone);
  CHECK(Verdict(user, {"bitfield", "r1", "set", "u8", "0", "1"}) == Denial::kKey);
  CHECK(Verdict(user, {"bitfield", "w1", "incrby", "u8", "0", "1"}) == Denial::kKey);
}

TEST_CASE("ACL SETUSER is all-or-nothing") {
  AclStore store;
  std::vector<std::string_view> good = {"on", ">pw", "+get"};
  REQUIRE(store.SetUser("alice", good).empty());
  std::vector<std::string_view> bad = {"off", "+nosuch"};
  CHECK(store.SetUser("alice", bad) ==
        "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  CHECK(store.Find("alice")->enabled);
  CHECK(store.SetUser("bob", bad) != "");
  CHECK(store.Find("bob") == nullptr);
}

TEST_CASE("passwords: hashes, removal, nopass, disabled users") {
  AclStore store;
  std::vector<std::string_view> rules = {"on", ">one", ">two", "<one"};
  REQUIRE(store.SetUser("alice", rules).empty());
  CHECK(store.Authenticate("alice", "two"));
  CHECK_FALSE(store.Authenticate("alice", "one"));
  CHECK_FALSE(store.Authenticate("nobody", "two"));
  std::vector<std::string_view> off = {"off"};
  REQUIRE(store.SetUser("alice", off).empty());
  CHECK_FALSE(store.Authenticate("alice", "two"));
  CHECK(store.default_open());
  store.SetDefaultPassword("secret");
  CHECK_FALSE(store.default_open());
  CHECK(store.Authenticate("default", "secret"));
  CHECK(HashPassword("p1") == "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a");
}

TEST_CASE("commands, subcommands and first arguments are checked") {
  User user = Make({"+@read", "-get", "+client|list", "+select|1", "~*"});
  CHECK(Verdict(user, {"strlen", "k"}) == Denial::kNone);
  CHECK(Verdict(user, {"get", "k"}) == Denial::kCommand);
  CHECK(Verdict(user, {"set", "k", "v"}) == Denial::kCommand);
  CHECK(Verdict(user, {"client", "LIST"}) == Denial::kNone);
  CHECK(Verdict(user, {"client", "kill", "x"}) == Denial::kCommand);
  CHECK(Verdict(user, {"select", "1"}) == Denial::kNone);
  CHECK(Verdict(user, {"select", "2"}) == Denial::kCommand);
  CHECK(Verdict(User("nothing"), {"auth", "u", "p"}) == Denial::kNone);  // no-auth commands
}

TEST_CASE("keys are matched with the access the command needs") {
  User user = Make({"+@all", "~k*", "%R~ro*", "%W~wo*"});
  CHECK(Verdict(user, {"get", "k1"}) == Denial::kNone);
  CHECK(Verdict(user, {"get", "x"}) == Denial::kKey);
  CHECK(Verdict(user, {"get", "ro1"}) == Denial::kNone);
  CHECK(Verdict(user, {"append", "ro1", "x"}) == Denial::kKey);  // INSERT: needs write
  CHECK(Verdict(user, {"lpush", "wo1", "x"}) == Denial::kNone);
  CHECK(Verdict(user, {"get", "wo1"}) == Denial::kKey);
  CHECK(Verdict(user, {"incr", "wo1"}) == Denial::kKey);  // reads and writes
  CHECK(Verdict(user, {"mget", "k1", "k2", "x"}) == Denial::kKey);
  CHECK(Check(user, *FindCommand("mget"), std::vector<std::string_view>{"mget", "k1", "x"}).arg ==
        2);
  CHECK(Verdict(user, {"mset", "k1", "v", "k2", "v"}) == Denial::kNone);
  CHECK(Verdict(user, {"mset", "k1", "v", "x", "v"}) == Denial::kKey);
  CHECK(Verdict(Make({"+@all", "allkeys"}), {"get", "anything"}) == Denial::kNone);
}

TEST_CASE("each key is checked with its own access; a key only named needs any pattern") {
  User user = Make({"+@all", "%R~r*", "%W~w*"});
  CHECK(Verdict(user, {"copy", "r1", "w1"}) == Denial::kNone);  // source read, destination written
  CHECK(Verdict(user, {"copy", "w1", "r1"}) == Denial::kKey);
  CHECK(Verdict(user, {"sinterstore", "w1", "r1", "r2"}) == Denial::kNone);
  CHECK(Verdict(user, {"zunionstore", "w1", "2", "r1", "r2"}) == Denial::kNone);
  CHECK(Verdict(user, {"zunionstore", "w1", "2", "r1", "x"}) == Denial::kKey);  // numkeys keys
  CHECK(Verdict(user, {"sort", "r1", "store", "w1"}) == Denial::kNone);
  CHECK(Verdict(user, {"type", "w1"}) == Denial::kNone);  // TYPE reads no value
  CHECK(Verdict(user, {"type", "x"}) == Denial::kKey);    // but the key must match a pattern
  CHECK(Verdict(user, {"eval", "return 1", "2", "r1", "w1"}) == Denial::kKey);
}

TEST_CASE("channels: globs for channels, literal equality for PSUBSCRIBE patterns") {
  User user = Make({"+@all", "&news.*", "&exact"});
  CHECK(Verdict(user, {"publish", "news.tech", "m"}) == Denial::kNone);
  CHECK(Verdict(user, {"publish", "sport", "m"}) == Denial::kChannel);
  CHECK(Verdict(user, {"subscribe", "exact", "news.a"}) == Denial::kNone);
  CHECK(Verdict(user, {"subscribe", "exact", "other"}) == Denial::kChannel);
  CHECK(Verdict(user, {"psubscribe", "news.*"}) == Denial::kNone);
  CHECK(Verdict(user, {"psubscribe", "news.t*"}) == Denial::kChannel);
  CHECK(Verdict(User("none"), {"publish", "x", "m"}) == Denial::kCommand);
  CHECK(Verdict(Make({"+@all"}), {"publish", "x", "m"}) == Denial::kChannel);  // resetchannels
}

TEST_CASE("categories: Redis 7.0's table, and flags for commands Redis lacks") {
  CHECK(AclCategoriesOf(*FindCommand("get")) == (kCatRead | kCatString | kCatFast));
  CHECK(AclCategoriesOf(*FindCommand("blpop")) == (kCatWrite | kCatList | kCatSlow | kCatBlocking));
  CHECK(AclCategoriesOf(*FindCommand("flushall")) ==
        (kCatKeyspace | kCatWrite | kCatSlow | kCatDangerous));
  CommandSpec invented{"notinredis", 1, kWrite | kFast, 0, 0, 0, nullptr};
  CHECK(AclCategoriesOf(invented) == (kCatWrite | kCatFast));
  for (const CommandSpec& spec : AllCommands()) {
    INFO(std::string(spec.name));
    CHECK(AclCategoriesOf(spec) != 0);
  }
  CHECK(CategoryByName("SortedSet") == kCatSortedset);
  CHECK_FALSE(CategoryByName("nosuch").has_value());
}

}  // namespace
}  // namespace strongbox::engine::acl
