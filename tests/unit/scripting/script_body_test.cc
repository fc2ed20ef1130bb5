// SHA1 against known digests, and the shebang grammar (flags, engine, line numbers kept).
#include "engine/scripting/script_body.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::scripting::testing {
namespace {

struct Parsed {
  bool ok;
  ScriptFlags flags;
  std::string_view code;
  std::string error;
};

Parsed Parse(std::string_view body) {
  Parsed p{};
  p.ok = ParseScriptBody(body, &p.flags, &p.code, &p.error);
  return p;
}

TEST_CASE("Sha1Hex gives lower-case hex digests") {
  CHECK(Sha1Hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(Sha1Hex("return 1") == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_CASE("A body without a shebang is compiled as it is") {
  Parsed p = Parse("return 1");
  REQUIRE(p.ok);
  CHECK(p.code == "return 1");
  CHECK_FALSE(p.flags.no_writes);
  CHECK_FALSE(p.flags.shebang);  // Redis's compatibility mode: no checks before it runs
}

TEST_CASE("The shebang sets flags and keeps the body's line numbers") {
  Parsed p = Parse("#!lua flags=allow-oom,no-writes\nreturn 2");
  REQUIRE(p.ok);
  CHECK(p.flags.no_writes);
  CHECK(p.code == "\nreturn 2");
  p = Parse("#!lua");
  REQUIRE(p.ok);
  CHECK(p.code.empty());
  CHECK_FALSE(p.flags.no_writes);
  CHECK(p.flags.shebang);  // declared writable: refused before it runs when writes are
}

TEST_CASE("A bad shebang is refused with Redis's texts") {
  CHECK(Parse("#!py\nx").error == "ERR Unexpected engine in script shebang: #!py");
  CHECK(Parse("#!lua flags=bogus\nx").error == "ERR Unexpected flag in script shebang: bogus");
  CHECK(Parse("#!lua name=x\nx").error == "ERR Unknown lua shebang option: name=x");
  CHECK_FALSE(Parse("#!py\nx").ok);
}

}  // namespace
}  // namespace strongbox::scripting::testing
