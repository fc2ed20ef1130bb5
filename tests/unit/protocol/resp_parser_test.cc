// The RESP request parser: multibulk and inline commands, pipelining, input cut at every byte,
// needed_bytes for large bulks, and every limit and malformed length it must refuse.
#include "engine/protocol/resp_parser.h"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

using strongbox::engine::ParseCommand;
using strongbox::engine::ParseResult;
using strongbox::engine::ParserLimits;
using strongbox::engine::ParseStatus;

namespace {

using Args = std::vector<std::string>;

// Small limits, so that every one of them is reachable with short inputs.
constexpr ParserLimits kSmall{/*bulk_bytes_max=*/16, /*args_max=*/4, /*inline_bytes_max=*/32};

struct Parsed {
  ParseResult result;
  Args args;
};

Parsed Parse(std::string_view buf, const ParserLimits& limits = ParserLimits{}) {
  std::vector<std::string_view> argv;
  Parsed p{ParseCommand(buf, limits, &argv), {}};
  for (std::string_view a : argv) p.args.emplace_back(a);
  return p;
}

// Strings here are built by appending: GCC 12 at -O3 raises a false -Wrestrict on
// operator+(const char*, std::string&&) (GCC bug 105329).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::string Multibulk(const Args& args) {
  std::string out = Cat({"*", std::to_string(args.size()), "\r\n"});
  for (const std::string& a : args) out += Cat({"$", std::to_string(a.size()), "\r\n", a, "\r\n"});
  return out;
}

void RequireError(std::string_view buf, const std::string& error,
                  const ParserLimits& limits = ParserLimits{}) {
  INFO("input: " << std::string(buf));
  Parsed p = Parse(buf, limits);
  REQUIRE(p.result.status == ParseStatus::kError);
  CHECK(p.result.error == error);
}

}  // namespace

TEST_CASE("a multibulk command is parsed whole, binary-safe, and reports what it consumed") {
  std::string value("v\0\r\nx", 5);  // NUL and CRLF inside a bulk are data
  std::string buf = Multibulk({"SET", "key", value, ""});
  Parsed p = Parse(buf);
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.result.consumed == buf.size());
  CHECK(p.args == Args{"SET", "key", value, ""});
}

TEST_CASE("an empty or negative multibulk is an empty command that is skipped") {
  for (std::string_view buf : {"*0\r\n", "*-1\r\n", "*-5\r\n"}) {
    Parsed p = Parse(buf);
    REQUIRE(p.result.status == ParseStatus::kOk);
    CHECK(p.result.consumed == buf.size());
    CHECK(p.args.empty());
  }
}

TEST_CASE("inline commands split on spaces and tabs, end at LF or CRLF") {
  Parsed p = Parse("SET  a\tb \r\n");
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.result.consumed == 11);
  CHECK(p.args == Args{"SET", "a", "b"});

  p = Parse("PING\n");
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.result.consumed == 5);
  CHECK(p.args == Args{"PING"});

  p = Parse("   \r\n");  // a blank line: nothing to run, but consumed
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.result.consumed == 5);
  CHECK(p.args.empty());
}

TEST_CASE("inline quotes keep spaces verbatim; an unbalanced quote is an error") {
  Parsed p = Parse("SET \"a b\" 'c  d' \"\"\r\n");
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args == Args{"SET", "a b", "c  d", ""});
  p = Parse("ECHO \"it's\"\r\n");  // the other quote character inside is plain data
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args == Args{"ECHO", "it's"});
  RequireError("SET \"a b\r\n", "unbalanced quotes in request");
  RequireError("SET 'a\r\n", "unbalanced quotes in request");
  RequireError("\"\r\n", "unbalanced quotes in request");
}

TEST_CASE("pipelined commands are parsed one at a time from the front of the buffer") {
  std::string buf = Cat({Multibulk({"SET", "a", "1"}), "INCR a\r\n", Multibulk({"GET", "a"}),
                         "*0\r\n", "PING\r\n", Multibulk({"GET"})});
  std::vector<Args> want = {{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {}, {"PING"}};
  std::string_view rest = buf;
  for (const Args& args : want) {
    Parsed p = Parse(rest);
    REQUIRE(p.result.status == ParseStatus::kOk);
    CHECK(p.args == args);
    rest.remove_prefix(p.result.consumed);
  }
  // The last command arrived only in part: it waits, and the parser does not move on.
  Parsed tail = Parse(rest.substr(0, rest.size() - 1));
  CHECK(tail.result.status == ParseStatus::kIncomplete);
  CHECK(tail.result.consumed == 0);
  Parsed last = Parse(rest);
  REQUIRE(last.result.status == ParseStatus::kOk);
  CHECK(last.args == Args{"GET"});
  CHECK(last.result.consumed == rest.size());
}

TEST_CASE("a command cut at every byte is incomplete, never an error, until it is whole") {
  std::string multibulk = Multibulk({"SET", "key", std::string("va\r\nlue", 7), ""});
  std::string inline_cmd = "SET \"a b\" 'c' d\r\n";
  for (const std::string& full : {multibulk, inline_cmd}) {
    for (size_t cut = 0; cut < full.size(); ++cut) {
      INFO("cut at " << cut << " of " << full);
      Parsed p = Parse(std::string_view(full).substr(0, cut));
      REQUIRE(p.result.status == ParseStatus::kIncomplete);
      CHECK(p.result.consumed == 0);
      // When it knows how long the command is, it never asks for more than the command.
      CHECK(p.result.needed_bytes <= full.size());
      if (p.result.needed_bytes > 0) CHECK(p.result.needed_bytes > cut);
    }
    Parsed p = Parse(full);
    REQUIRE(p.result.status == ParseStatus::kOk);
    CHECK(p.result.consumed == full.size());
  }
}

TEST_CASE("needed_bytes names the end of a large bulk once its length is known") {
  const size_t big = 1 << 20;
  std::string header = Cat({"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$", std::to_string(big), "\r\n"});
  std::string buf = Cat({header, std::string(1000, 'x')});
  Parsed p = Parse(buf);
  REQUIRE(p.result.status == ParseStatus::kIncomplete);
  CHECK(p.result.needed_bytes == header.size() + big + 2);
  // Still unknown while the length line itself is incomplete.
  p = Parse(std::string_view(header).substr(0, header.size() - 3));
  REQUIRE(p.result.status == ParseStatus::kIncomplete);
  CHECK(p.result.needed_bytes == 0);
  // The bulk's bytes are there but its CRLF is not: it needs exactly those two bytes more.
  std::string almost = Cat({header, std::string(big, 'x')});
  p = Parse(almost);
  REQUIRE(p.result.status == ParseStatus::kIncomplete);
  CHECK(p.result.needed_bytes == almost.size() + 2);
  p = Parse(Cat({almost, "\r\n"}));
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args.at(2).size() == big);
}

TEST_CASE("the bulk length limit: equal is accepted, one more is refused") {
  Parsed p = Parse(Multibulk({std::string(16, 'b')}), kSmall);
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args == Args{std::string(16, 'b')});
  RequireError("*1\r\n$17\r\n", "invalid bulk length", kSmall);
  // Refused from the length line alone, before a byte of the bulk arrives.
  RequireError("*1\r\n$4294967296\r\n", "invalid bulk length");
}

TEST_CASE("the multibulk count limit: equal is accepted, one more is refused") {
  Parsed p = Parse(Multibulk({"a", "b", "c", "d"}), kSmall);
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args.size() == 4);
  RequireError("*5\r\n", "invalid multibulk length", kSmall);
  RequireError("*1048577\r\n", "invalid multibulk length");  // the default limit + 1
  CHECK(Parse("*1048576\r\n").result.status == ParseStatus::kIncomplete);
}

TEST_CASE("the inline length limit, with and without the newline") {
  std::string at_limit = Cat({"ECHO ", std::string(27, 'x')});  // 32 bytes before the LF
  Parsed p = Parse(Cat({at_limit, "\n"}), kSmall);
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.args == Args{"ECHO", std::string(27, 'x')});
  RequireError(Cat({at_limit, "x\n"}), "too big inline request", kSmall);
  // No newline yet: waits while within the limit, refuses as soon as it is passed.
  CHECK(Parse(at_limit, kSmall).result.status == ParseStatus::kIncomplete);
  RequireError(Cat({at_limit, "x"}), "too big inline request", kSmall);
  RequireError(std::string(64 * 1024 + 1, 'A'), "too big inline request");
}

TEST_CASE("negative, huge and garbage lengths are protocol errors") {
  RequireError("*1\r\n$-1\r\n", "invalid bulk length");
  RequireError("*1\r\n$-5\r\n", "invalid bulk length");
  RequireError("*99999999999\r\n", "invalid multibulk length");
  RequireError("*1\r\n$99999999999\r\n", "invalid bulk length");
  // Past int64: from_chars reports out of range.
  RequireError("*99999999999999999999999\r\n", "invalid multibulk length");
  RequireError("*1\r\n$99999999999999999999999\r\n", "invalid bulk length");
  for (std::string_view bad : {"*abc\r\n", "*\r\n", "*+3\r\n", "*3 \r\n", "*3x\r\n", "*0x10\r\n"}) {
    RequireError(bad, "invalid multibulk length");
  }
  for (std::string_view bad :
       {"*1\r\n$abc\r\n", "*1\r\n$\r\n", "*1\r\n$ 3\r\n", "*1\r\n$3.0\r\n"}) {
    RequireError(bad, "invalid bulk length");
  }
  // A length line far longer than any number, without its CRLF: garbage, not a slow client.
  RequireError(Cat({"*", std::string(40, '1')}), "invalid multibulk length");
  RequireError(Cat({"*1\r\n$", std::string(40, '1')}), "invalid bulk length");
  CHECK(Parse(Cat({"*", std::string(20, '1')})).result.status == ParseStatus::kIncomplete);
}

TEST_CASE("a bulk must be announced by '$' and end with CRLF") {
  RequireError("*2\r\n$3\r\nGET\r\n:1\r\n", "expected '$', got ':'");
  RequireError("*1\r\n+OK\r\n", "expected '$', got '+'");
  RequireError("*1\r\n$3\r\nGETXX\r\n", "bulk not terminated by CRLF");
  RequireError("*1\r\n$3\r\nGET\n\r", "bulk not terminated by CRLF");
}

TEST_CASE("argv is cleared on every call, also when nothing is parsed") {
  std::vector<std::string_view> argv = {"stale"};
  ParseResult r = ParseCommand("", ParserLimits{}, &argv);
  CHECK(r.status == ParseStatus::kIncomplete);
  CHECK(argv.empty());
  argv = {"stale"};
  r = ParseCommand("*1\r\n$3\r\nGE", ParserLimits{}, &argv);
  CHECK(r.status == ParseStatus::kIncomplete);
  CHECK(argv.empty());
}
