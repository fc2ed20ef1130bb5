// The COMMAND DOCS and key-spec tables: every registered command has a row in both (a command
// added without them fails here), the rows are well formed, and the key-spec search and its
// fallback rules place keys and flags as Redis 7.0 does for the cases a spec cannot decide.
#include "engine/commands/command_docs.h"

#include <string>
#include <string_view>
#include <vector>

#include "catch2/catch.hpp"
#include "engine/commands/command_keys.h"
#include "engine/commands/command_registry.h"
#include "tests/unit/commands/command_harness.h"

namespace strongbox::engine {
namespace {

using testing::Harness;

// Every nested argument is a oneof/block with children, or a leaf without; key arguments name
// one of the command's key specs.
void CheckArgs(const ArgList& args, size_t key_specs, const std::string& where) {
  for (const ArgDoc& arg : args) {
    INFO(where << " argument " << arg.name);
    bool nested = arg.type == ArgType::kOneof || arg.type == ArgType::kBlock;
    CHECK(nested == (arg.arguments.size > 0));
    // A key names its spec; so may a pattern that builds key names (SORT BY).
    if (arg.type == ArgType::kKey) CHECK(arg.key_spec_index >= 0);
    if (arg.key_spec_index >= 0)
      CHECK((arg.type == ArgType::kKey || arg.type == ArgType::kPattern));
    if (arg.key_spec_index >= 0) CHECK(static_cast<size_t>(arg.key_spec_index) < key_specs);
    CHECK((arg.type != ArgType::kPureToken || !arg.token.empty()));
    CheckArgs(arg.arguments, key_specs, where);
  }
}

TEST_CASE("every registered command has a docs row and a key-spec row") {
  for (const CommandSpec& spec : AllCommands()) {
    INFO(spec.name);
    const CommandDoc* doc = FindCommandDoc(spec.name);
    REQUIRE(doc != nullptr);
    CHECK_FALSE(doc->summary.empty());
    CHECK_FALSE(doc->since.empty());
    CHECK_FALSE(doc->group.empty());
    const CommandKeySpecs* keys = FindKeySpecs(spec.name);
    REQUIRE(keys != nullptr);
    // A command the registry gives key positions has a spec that finds them (a container's
    // keys are its subcommands').
    if (spec.first_key > 0 && FindCommandDoc(std::string(spec.name) + "|help") == nullptr) {
      CHECK_FALSE(keys->specs.empty());
    }
  }
}

TEST_CASE("docs rows are well formed and every subcommand has a registered parent") {
  for (const CommandDoc& doc : AllCommandDocs()) {
    std::string name(doc.name);
    INFO(name);
    size_t bar = name.find('|');
    CHECK(FindCommand(name.substr(0, bar)) != nullptr);
    CHECK(FindCommandDoc(name) == &doc);
    const CommandKeySpecs* keys = FindKeySpecs(name);
    REQUIRE(keys != nullptr);
    CheckArgs(doc.arguments, keys->specs.size(), name);
    CHECK(((doc.doc_flags & kDocDeprecated) != 0) == !doc.deprecated_since.empty());
  }
  CHECK(FindCommandDoc("CONFIG|GET") == FindCommandDoc("config|get"));
  CHECK(FindCommandDoc("nosuch") == nullptr);
}

std::vector<std::pair<size_t, uint16_t>> Keys(std::vector<std::string_view> argv) {
  const CommandKeySpecs* row = FindKeySpecsOfLine(argv);
  REQUIRE(row != nullptr);
  std::vector<std::pair<size_t, uint16_t>> out;
  for (const KeyRef& key : FindKeys(*row, argv)) out.emplace_back(key.index, key.flags);
  return out;
}

using KeyList = std::vector<std::pair<size_t, uint16_t>>;

TEST_CASE("key specs place keys with their flags") {
  CHECK(Keys({"get", "k"}) == KeyList{{1, kKeyRO | kKeyAccess}});
  CHECK(Keys({"mset", "a", "1", "b", "2"}) ==
        KeyList{{1, kKeyOW | kKeyUpdate}, {3, kKeyOW | kKeyUpdate}});
  CHECK(Keys({"smove", "a", "b", "m"}) ==
        KeyList{{1, kKeyRW | kKeyAccess | kKeyDelete}, {2, kKeyRW | kKeyInsert}});
  // numkeys specs, and a keyword search
  CHECK(Keys({"zunionstore", "d", "2", "a", "b"}) ==
        KeyList{{1, kKeyOW | kKeyUpdate}, {3, kKeyRO | kKeyAccess}, {4, kKeyRO | kKeyAccess}});
  CHECK(Keys({"xread", "count", "1", "streams", "a", "b", "0", "0"}) ==
        KeyList{{4, kKeyRO | kKeyAccess}, {5, kKeyRO | kKeyAccess}});
  CHECK(Keys({"object", "encoding", "k"}) == KeyList{{2, kKeyRO}});
}

TEST_CASE("the fallback rules decide variable flags, STORE and numkeys the specs reject") {
  CHECK(Keys({"set", "k", "v"}) == KeyList{{1, kKeyOW | kKeyUpdate}});
  CHECK(Keys({"set", "k", "v", "GeT"}) == KeyList{{1, kKeyRW | kKeyAccess | kKeyUpdate}});
  CHECK(Keys({"bitfield", "k", "get", "u8", "0"}) == KeyList{{1, kKeyRO | kKeyAccess}});
  CHECK(Keys({"bitfield", "k", "incrby", "u8", "0", "1"}) ==
        KeyList{{1, kKeyRW | kKeyAccess | kKeyUpdate}});
  CHECK(Keys({"sort", "k", "by", "store", "store", "d"}) ==
        KeyList{{1, kKeyRO | kKeyAccess}, {5, kKeyOW | kKeyUpdate}});
  CHECK(Keys({"eval", "s", "0"}).empty());
  CHECK(KeysOptional("eval"));
  CHECK_FALSE(KeysOptional("blmpop"));
  // "2x" is no numkeys for the spec; the fallback reads it as C's atoi does, without flags
  CHECK(Keys({"zunion", "2x", "a", "b"}) == KeyList{{2, 0}, {3, 0}});
  CHECK(Keys({"zunion", "3", "a", "b"}).empty());
}

TEST_CASE("movable keys and subcommand lookup follow Redis") {
  CHECK_FALSE(HasMovableKeys(*FindKeySpecs("get")));
  CHECK_FALSE(HasMovableKeys(*FindKeySpecs("smove")));
  CHECK_FALSE(HasMovableKeys(*FindKeySpecs("set")));
  CHECK(HasMovableKeys(*FindKeySpecs("sort")));
  CHECK(HasMovableKeys(*FindKeySpecs("zunionstore")));
  CHECK(HasMovableKeys(*FindKeySpecs("georadius")));
  std::vector<std::string_view> unknown = {"object", "nosuch", "k"};
  CHECK(FindKeySpecsOfLine(unknown) == nullptr);
  std::vector<std::string_view> bare = {"object"};
  CHECK(FindKeySpecsOfLine(bare) == FindKeySpecs("object"));
}

TEST_CASE("a subcommand's row gives COMMAND INFO its arity, flags, key range and tips") {
  const CommandKeySpecs* encoding = FindKeySpecs("object|encoding");
  REQUIRE(encoding != nullptr);
  CHECK(encoding->arity == 3);
  CHECK(encoding->flags == kReadonly);
  KeyRange range = LegacyKeyRange(*encoding);
  CHECK((range.first == 2 && range.last == 2 && range.step == 1));
  range = LegacyKeyRange(*FindKeySpecs("mset"));
  CHECK((range.first == 1 && range.last == -1 && range.step == 2));
  range = LegacyKeyRange(*FindKeySpecs("smove"));  // two consecutive ranges glue into one
  CHECK((range.first == 1 && range.last == 2 && range.step == 1));
  range = LegacyKeyRange(*FindKeySpecs("config|get"));
  CHECK((range.first == 0 && range.last == 0 && range.step == 0));
  CHECK(FindKeySpecs("keys")->tips == "request_policy:all_shards nondeterministic_output_order");
  CHECK(SubcommandKeySpecs("object").size() == 5);
  CHECK(SubcommandKeySpecs("get").empty());
  Harness h;
  std::string object = h.Run({"command", "info", "object"});
  CHECK(object.find("$15\r\nobject|encoding\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n") !=
        std::string::npos);
}

TEST_CASE("COMMAND DOCS replies in RESP2 and RESP3 shapes") {
  Harness h;
  std::string get = h.Run({"command", "docs", "get", "nosuch"});
  CHECK(get.starts_with("*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n"));
  CHECK(
      get.ends_with("$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n"
                    "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"));
  CHECK(h.Run({"command", "docs", "nosuch"}) == "*0\r\n");
  h.Run({"hello", "3"});
  std::string set = h.Run({"command", "docs", "SET"});
  CHECK(set.starts_with("%1\r\n$3\r\nset\r\n%5\r\n"));
  CHECK(set.find("$5\r\nflags\r\n~1\r\n+optional\r\n") != std::string::npos);
  std::string sub = h.Run({"command", "docs", "config|get"});
  CHECK(sub.starts_with("%1\r\n$10\r\nconfig|get\r\n"));
  std::string config = h.Run({"command", "docs", "config"});
  CHECK(config.find("$11\r\nsubcommands\r\n%") != std::string::npos);
}

}  // namespace
}  // namespace strongbox::engine
