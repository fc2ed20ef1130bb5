// Reply encoding: every RespWriter call in RESP2 and in RESP3, byte for byte, and Redis's
// double formatting.
#include "engine/protocol/resp_writer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>

using strongbox::engine::RespWriter;

namespace {

// What `write` appends to an empty buffer in the given protocol version.
std::string Encode(int version, const std::function<void(RespWriter&)>& write) {
  std::string out;
  RespWriter w(&out, version);
  write(w);
  return out;
}

struct Case {
  const char* what;
  std::function<void(RespWriter&)> write;
  std::string resp2;
  std::string resp3;
};

}  // namespace

TEST_CASE("each reply type in RESP2 and RESP3") {
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"simple string", [](RespWriter& w) { w.SimpleString("OK"); }, "+OK\r\n", "+OK\r\n"},
      {"error", [](RespWriter& w) { w.Error("ERR bad"); }, "-ERR bad\r\n", "-ERR bad\r\n"},
      {"integer", [](RespWriter& w) { w.Integer(-42); }, ":-42\r\n", ":-42\r\n"},
      {"int64 min", [](RespWriter& w) { w.Integer(std::numeric_limits<int64_t>::min()); },
       ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"bulk", [](RespWriter& w) { w.Bulk(std::string("a\0\r\nb", 5)); },
       std::string("$5\r\na\0\r\nb\r\n", 11), std::string("$5\r\na\0\r\nb\r\n", 11)},
      {"empty bulk", [](RespWriter& w) { w.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n"},
      {"null", [](RespWriter& w) { w.Null(); }, "$-1\r\n", "_\r\n"},
      {"null array", [](RespWriter& w) { w.NullArray(); }, "*-1\r\n", "_\r\n"},
      {"array", [](RespWriter& w) { w.ArrayHeader(3); }, "*3\r\n", "*3\r\n"},
      {"empty array", [](RespWriter& w) { w.ArrayHeader(0); }, "*0\r\n", "*0\r\n"},
      {"map: pairs in RESP3, a flat array of keys and values in RESP2",
       [](RespWriter& w) { w.MapHeader(2); }, "*4\r\n", "%2\r\n"},
      {"set", [](RespWriter& w) { w.SetHeader(3); }, "*3\r\n", "~3\r\n"},
      {"push", [](RespWriter& w) { w.PushHeader(2); }, "*2\r\n", ">2\r\n"},
      {"double", [](RespWriter& w) { w.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n"},
      {"double %.17g", [](RespWriter& w) { w.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
       ",0.10000000000000001\r\n"},
      {"double inf", [inf](RespWriter& w) { w.Double(inf); }, "$3\r\ninf\r\n", ",inf\r\n"},
      {"double -inf", [inf](RespWriter& w) { w.Double(-inf); }, "$4\r\n-inf\r\n", ",-inf\r\n"},
      {"true", [](RespWriter& w) { w.Boolean(true); }, ":1\r\n", "#t\r\n"},
      {"false", [](RespWriter& w) { w.Boolean(false); }, ":0\r\n", "#f\r\n"},
      {"verbatim", [](RespWriter& w) { w.Verbatim("hi"); }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
      {"big number", [](RespWriter& w) { w.BigNumber("12345678901234567890"); },
       "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(Encode(2, c.write) == c.resp2);
    CHECK(Encode(3, c.write) == c.resp3);
  }
}

TEST_CASE("CR and LF inside an error become spaces, so the reply stays one line") {
  CHECK(Encode(2, [](RespWriter& w) { w.Error("ERR a\r\nb\nc"); }) == "-ERR a  b c\r\n");
}

TEST_CASE("a nested RESP3 reply and its RESP2 form") {
  auto write = [](RespWriter& w) {
    w.MapHeader(1);
    w.Bulk("k");
    w.SetHeader(2);
    w.Double(2.0);
    w.Null();
  };
  CHECK(Encode(2, write) == "*2\r\n$1\r\nk\r\n*2\r\n$1\r\n2\r\n$-1\r\n");
  CHECK(Encode(3, write) == "%1\r\n$1\r\nk\r\n~2\r\n,2\r\n_\r\n");
}

TEST_CASE("the writer appends, and switching the version applies to what follows") {
  std::string out = "+PONG\r\n";
  RespWriter w(&out);  // RESP2 unless told otherwise
  CHECK(w.protocol_version() == 2);
  CHECK(w.buffer() == &out);
  w.Null();
  w.set_protocol_version(3);
  CHECK(w.protocol_version() == 3);
  w.Null();
  CHECK(out == "+PONG\r\n$-1\r\n_\r\n");
}

TEST_CASE("FormatDouble: Redis's canonical text for every double") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(RespWriter::FormatDouble(inf) == "inf");
  CHECK(RespWriter::FormatDouble(-inf) == "-inf");
  CHECK(RespWriter::FormatDouble(std::nan("")) == "nan");
  CHECK(RespWriter::FormatDouble(3.0) == "3");
  CHECK(RespWriter::FormatDouble(-2.5) == "-2.5");
  CHECK(RespWriter::FormatDouble(0.0) == "0");
  CHECK(RespWriter::FormatDouble(2.1) == "2.1000000000000001");
  CHECK(RespWriter::FormatDouble(1e300) == "1.0000000000000001e+300");
  // %.17g round-trips: the text parses back to the same double.
  for (double d : {0.1, 1.0 / 3.0, 123456.789, -1e-300, 5e-324}) {
    CHECK(std::strtod(RespWriter::FormatDouble(d).c_str(), nullptr) == d);
  }
}
