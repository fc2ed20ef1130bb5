// SHA1 against known digests, and the shebang grammar (flags, engine, line numbers kept).
#include "engine/scripting/script_body.h"

#include <catch2/catch.hpp>
#include <string>

namespace strongbox::scripting::testing {
namespace {

TEST_CASE("Sha1Hex gives lower-case hex digests") {
  CHECK(Sha1Hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(Sha1Hex("return 1") == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_CASE("A body without a shebang is compiled as it is") {
  ScriptFlags flags;
  std::string_view code;
  std::string error;
  REQUIRE(ParseScriptBody("return 1", &flags, &code, &error));
  CHECK(code == "return 1");
  CHECK_FALSE(flags.no_writes);
}

TEST_CASE("The shebang sets flags and keeps the body's line numbers") {
  ScriptFlags flags;
  std::string_view code;
  std::string error;
  REQUIRE(ParseScriptBody("#!lua flags=allow-oom,no-writes\nreturn 2", &flags, &code, &error));
  CHECK(flags.no_writes);
  CHECK(code == "\nreturn 2");
  REQUIRE(ParseScriptBody("#!lua", &flags, &code, &error));
  CHECK(code.empty());
  CHECK_FALSE(flags.no_writes);
}

TEST_CASE("A bad shebang is refused with Redis's texts") {
  ScriptFlags flags;
  std::string_view code;
  std::string error;
  CHECK_FALSE(ParseScriptBody("#!py\nx", &flags, &code, &error));
  CHECK(error == "ERR Unexpected engine in script shebang: #!py");
  CHECK_FALSE(ParseScriptBody("#!lua flags=bogus\nx", &flags, &code, &error));
  CHECK(error == "ERR Unexpected flag in script shebang: bogus");
  CHECK_FALSE(ParseScriptBody("#!lua name=x\nx", &flags, &code, &error));
  CHECK(error == "ERR Unknown lua shebang option: name=x");
}

}  // namespace
}  // namespace strongbox::scripting::testing
