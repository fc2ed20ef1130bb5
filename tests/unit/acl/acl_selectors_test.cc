// Selectors ("(...)" in ACL SETUSER): how they are parsed and merged from separate arguments,
// described, and checked. Expected strings and verdicts are what redis-server 7.0.15 answered
// for the same rules and ACL DRYRUN lines.
#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/acl/acl_store.h"
#include "engine/acl/acl_user.h"
#include "engine/commands/command_registry.h"

namespace strongbox::engine::acl {
namespace {

// The user ACL SETUSER builds from these arguments (REQUIREs success).
User SetUp(std::vector<std::string_view> args) {
  AclStore store;
  REQUIRE(store.SetUser("u", args).empty());
  return *store.Find("u");
}

std::string SetUpError(std::vector<std::string_view> args) {
  AclStore store;
  return store.SetUser("u", args);
}

// ACL DRYRUN's answer: "OK" or the name of what was refused ("cmd", "key k", "channel c").
std::string DryRun(const User& user, std::vector<std::string_view> argv) {
  const CommandSpec* spec = FindCommand(argv[0]);
  REQUIRE(spec != nullptr);
  Verdict verdict = Check(user, *spec, argv);
  switch (verdict.denial) {
    case Denial::kNone:
      return "OK";
    case Denial::kCommand:
      return "cmd";
    case Denial::kKey:
      return "key " + std::string(argv[verdict.arg]);
    default:
      return "channel " + std::string(argv[verdict.arg]);
  }
}

TEST_CASE("selectors are added in order and described inside parentheses") {
  User user = SetUp({"on", "nopass", "(+get ~r*)", "(+set", "~w*)", "+@hash", "~h*"});
  CHECK(DescribeUser(user) ==
        "user u on nopass ~h* resetchannels -@all +@hash (~r* resetchannels -@all +get) (~w* "
        "resetchannels -@all +set)");
  REQUIRE(user.selectors.size() == 2);
  CHECK(DescribeCommands(user.selectors[1]) == "-@all +set");
  CHECK(DescribeKeys(user.selectors[0]) == "~r*");
  CHECK(DescribeChannels(user.selectors[0]).empty());
}

TEST_CASE("a selector takes command, key and channel rules, and spaces between them") {
  User user = SetUp({"(~a ~*)", "()", "(  +get   ~a )", "(~a", ")",
                     "(%R~r* &x* allchannels resetchannels &y allkeys resetkeys %W~w* +set)"});
  CHECK(DescribeUser(user) ==
        "user u off resetchannels -@all (~* resetchannels -@all) (resetchannels -@all) (~a "
        "resetchannels -@all +get) (~a resetchannels -@all) (%W~w* resetchannels &y -@all +set)");
}

TEST_CASE("clearselectors and reset drop the selectors") {
  CHECK(DescribeUser(SetUp({"on", "(+get ~a)", "clearselectors"})) ==
        "user u on resetchannels -@all");
  CHECK(DescribeUser(SetUp({"on", "(+get ~a)", "reset"})) ==
        "user u off sanitize-payload resetchannels -@all");
}

TEST_CASE("selector errors are Redis 7.0's") {
  CHECK(SetUpError({"(+get", "~r*"}) ==
        "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
  CHECK(SetUpError({"a", "(+get", "(+set"}) ==
        "ERR Unmatched parenthesis in acl selector starting at '(+set'.");
  CHECK(SetUpError({"("}) == "ERR Unmatched parenthesis in acl selector starting at '('.");
  CHECK(SetUpError({"(+get (+set)"}) ==
        "ERR Error in ACL SETUSER modifier '(+get (+set)': Syntax error");
  CHECK(SetUpError({"(>pw)"}) == "ERR Error in ACL SETUSER modifier '(>pw)': Syntax error");
  CHECK(SetUpError({"(on)"}) == "ERR Error in ACL SETUSER modifier '(on)': Syntax error");
  CHECK(SetUpError({"(reset)"}) == "ERR Error in ACL SETUSER modifier '(reset)': Syntax error");
  CHECK(SetUpError({"(clearselectors)"}) ==
        "ERR Error in ACL SETUSER modifier '(clearselectors)': Syntax error");
  CHECK(SetUpError({"(+nosuch)"}) ==
        "ERR Error in ACL SETUSER modifier '(+nosuch)': Unknown command or category name in ACL");
  CHECK(SetUpError({")"}) == "ERR Error in ACL SETUSER modifier ')': Syntax error");
  CHECK(SetUpError({""}).empty());  // an empty rule does nothing
}

TEST_CASE("a selector's inside is split like Redis's sdssplitargs") {
  User user = SetUp({"(+get \"~a\\\"b\" ~c\"d\")", "(\t+set\n~e)", "(+get '~x\\'y')",
                     "(+get \"~\\x41\\q\")", "(+get \"~a)", std::string_view("(+get\0 ~z)", 10)});
  CHECK(DescribeUser(user) ==
        "user u off resetchannels -@all (~a\"b ~cd resetchannels -@all +get) (~e resetchannels "
        "-@all +set) (~x'y resetchannels -@all +get) (~Aq resetchannels -@all +get) "
        "(resetchannels -@all) (resetchannels -@all +get)");
  CHECK(SetUpError({"(+get \"~a b\")"}) ==
        "ERR Error in ACL SETUSER modifier '(+get \"~a b\")': Syntax error");
  // a closing quote followed by more: Redis's split fails, and the selector stays empty
  CHECK(DescribeUser(SetUp({"(+get '~a'b)"})) ==
        "user u off resetchannels -@all (resetchannels -@all)");
  CHECK(SetUpError({"(+get \"\")"}) ==
        "ERR Error in ACL SETUSER modifier '(+get \"\")': Syntax error");
  CHECK(SetUpError({"(+set\v~e)"}) ==  // \v is a blank, but ends no word
        "ERR Error in ACL SETUSER modifier '(+set\v~e)': Unknown command or category name in ACL");
}

TEST_CASE("patterns: no blanks, and only ~* (not %RW~*) means allkeys") {
  CHECK(SetUpError({"~a b"}) == "ERR Error in ACL SETUSER modifier '~a b': Syntax error");
  CHECK(SetUpError({"&a\tb"}) == "ERR Error in ACL SETUSER modifier '&a\tb': Syntax error");
  CHECK(SetUpError({std::string_view("~a\0b", 4)}) ==
        "ERR Error in ACL SETUSER modifier '~a': Syntax error");
  CHECK(SetUpError({"~*", "%RR~a b"}).find("after the * pattern (or the 'allkeys'") !=
        std::string::npos);
  CHECK(SetUpError({"~*", "%RW~*"}).find("'allkeys'") != std::string::npos);
  CHECK(SetUpError({"&*", "&a b"}).find("'allchannels'") != std::string::npos);
  CHECK(DescribeUser(SetUp({"~a", "%RW~*"})) == "user u off ~a ~* resetchannels -@all");
  CHECK_FALSE(SetUp({"~a", "%RW~*"}).root.allkeys);
  CHECK(DescribeUser(SetUp({"~a", "~*", "&b", "&*", "~*", "&*"})) == "user u off ~* &* -@all");
}

TEST_CASE("a restarted selector drops the words before the restart") {
  User user = SetUp({"(+get", "(+set", "~x)"});
  CHECK(DescribeUser(user) == "user u off resetchannels -@all (~x resetchannels -@all +set)");
}

TEST_CASE("a command runs if the root or one selector allows all of it") {
  User user = SetUp({"~root*", "+get", "(+set ~w*)", "(+get %R~r*)", "(+publish &c*)"});
  CHECK(DryRun(user, {"get", "root1"}) == "OK");
  CHECK(DryRun(user, {"get", "r1"}) == "OK");
  CHECK(DryRun(user, {"get", "w1"}) == "key w1");
  CHECK(DryRun(user, {"set", "w1", "v"}) == "OK");
  CHECK(DryRun(user, {"set", "r1", "v"}) == "key r1");  // read-only there
  CHECK(DryRun(user, {"set", "root", "v"}) == "key root");
  CHECK(DryRun(user, {"mget", "r1", "root1"}) == "cmd");
  CHECK(DryRun(user, {"publish", "c1", "m"}) == "OK");
  CHECK(DryRun(user, {"publish", "d", "m"}) == "channel d");
  CHECK(DryRun(user, {"hget", "x", "y"}) == "cmd");
  CHECK(ChannelAllowed(user, "c9", false));
  CHECK_FALSE(ChannelAllowed(user, "d", false));
  CHECK_FALSE(AllChannels(user));
  CHECK(AllChannels(SetUp({"(&*)"})));
}

TEST_CASE("the refusal names the last key no selector allowed") {
  User user = SetUp({"~a*", "+mget", "(+mget ~b*)", "(+mget %R~c*)"});
  CHECK(DryRun(user, {"mget", "a1", "b1"}) == "key b1");
  CHECK(DryRun(user, {"mget", "b1", "a1"}) == "key a1");
  CHECK(DryRun(user, {"mget", "a1", "x"}) == "key x");
  CHECK(DryRun(user, {"mget", "c1", "c2"}) == "OK");      // one selector allows both keys
  CHECK(DryRun(user, {"mget", "a1", "c1"}) == "key c1");  // none allows both
  CHECK(DryRun(user, {"mget", "a1", "b1", "c1"}) == "key b1");
  CHECK(DryRun(user, {"mget", "x", "a1"}) == "key x");
}

}  // namespace
}  // namespace strongbox::engine::acl
