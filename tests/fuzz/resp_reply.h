// A strict reader of RESP2/RESP3 replies for the command fuzzer: every reply a handler writes
// must be complete, well-formed values.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/util/check.h"

namespace strongbox::fuzz {

namespace resp_detail {

inline std::string_view Line(std::string_view s, size_t* pos) {
  size_t eol = s.find("\r\n", *pos);
  SB_CHECK(eol != std::string_view::npos, "RESP line without CRLF at %zu", *pos);
  std::string_view line = s.substr(*pos, eol - *pos);
  SB_CHECK(line.find('\n') == std::string_view::npos && line.find('\r') == std::string_view::npos,
           "CR or LF inside a RESP line");
  *pos = eol + 2;
  return line;
}

inline int64_t Int(std::string_view line) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
  SB_CHECK(ec == std::errc() && p == line.data() + line.size() && !line.empty(),
           "bad RESP integer '%.*s'", int(line.size()), line.data());
  return v;
}

inline void Value(std::string_view s, size_t* pos, int depth) {
  SB_CHECK(depth < 64 && *pos < s.size(), "RESP value missing or nested too deep");
  char type = s[(*pos)++];
  switch (type) {
    case '+':
    case '-':
    case ',':  // RESP3 double
    case '(':  // RESP3 big number
      Line(s, pos);
      return;
    case ':':
      Int(Line(s, pos));
      return;
    case '_':
      SB_CHECK(Line(s, pos).empty(), "RESP3 null with content");
      return;
    case '#': {
      std::string_view b = Line(s, pos);
      SB_CHECK(b == "t" || b == "f", "bad RESP3 boolean");
      return;
    }
    case '$':
    case '=':
    case '!': {
      int64_t len = Int(Line(s, pos));
      if (type == '$' && len == -1) return;
      SB_CHECK(len >= 0 && static_cast<uint64_t>(len) + 2 <= s.size() - *pos,
               "bulk length %lld past the reply", static_cast<long long>(len));
      *pos += static_cast<size_t>(len);
      SB_CHECK(s.substr(*pos, 2) == "\r\n", "bulk not followed by CRLF");
      *pos += 2;
      return;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      int64_t n = Int(Line(s, pos));
      if (type == '*' && n == -1) return;
      SB_CHECK(n >= 0 && static_cast<uint64_t>(n) <= s.size(), "bad aggregate length %lld",
               static_cast<long long>(n));
      if (type == '%' || type == '|') n *= 2;
      for (int64_t i = 0; i < n; ++i) Value(s, pos, depth + 1);
      return;
    }
    default:
      SB_CHECK(false, "bad RESP type byte 0x%02x at %zu", static_cast<unsigned char>(type),
               *pos - 1);
  }
}

}  // namespace resp_detail

// The number of values in `reply`; stops the process if it is not a sequence of whole values.
inline size_t CountRespValues(std::string_view reply) {
  size_t pos = 0, values = 0;
  while (pos < reply.size()) {
    resp_detail::Value(reply, &pos, 0);
    ++values;
  }
  return values;
}

}  // namespace strongbox::fuzz
