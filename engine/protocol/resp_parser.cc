// RESP request parsing: "*<n>\r\n$<len>\r\n<bytes>\r\n..." or an inline line.
#include "engine/protocol/resp_parser.h"

#include <charconv>

namespace strongbox::engine {
namespace {

// Reads "<digits>\r\n" at buf[pos]; returns false with status set if malformed/incomplete.
bool ReadLineInt(std::string_view buf, size_t* pos, int64_t* value, ParseResult* r,
                 const char* what) {
  size_t eol = buf.find("\r\n", *pos);
  if (eol == std::string_view::npos) {
    // A length line is at most ~20 digits; more without CRLF is garbage, not a slow client.
    if (buf.size() - *pos > 32) {
      r->status = ParseStatus::kError;
      r->error = std::string("invalid ") + what;
    } else {
      r->status = ParseStatus::kIncomplete;
    }
    return false;
  }
  auto [p, ec] = std::from_chars(buf.data() + *pos, buf.data() + eol, *value);
  if (ec != std::errc() || p != buf.data() + eol) {
    r->status = ParseStatus::kError;
    r->error = std::string("invalid ") + what;
    return false;
  }
  *pos = eol + 2;
  return true;
}

ParseResult ParseInline(std::string_view buf, const ParserLimits& limits,
                        std::vector<std::string_view>* argv) {
  ParseResult r;
  size_t eol = buf.find('\n');
  if (eol == std::string_view::npos) {
    if (buf.size() > limits.inline_bytes_max) {
      r.status = ParseStatus::kError;
      r.error = "too big inline request";
    }
    return r;
  }
  if (eol > limits.inline_bytes_max) {
    r.status = ParseStatus::kError;
    r.error = "too big inline request";
    return r;
  }
  std::string_view line = buf.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    if (line[i] == '"' || line[i] == '\'') {
      // Quoted inline arguments are rare (telnet users); keep them verbatim without escapes.
      char quote = line[i++];
      size_t end = line.find(quote, i);
      if (end == std::string_view::npos) {
        r.status = ParseStatus::kError;
        r.error = "unbalanced quotes in request";
        return r;
      }
      argv->push_back(line.substr(i, end - i));
      i = end + 1;
    } else {
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      argv->push_back(line.substr(start, i - start));
    }
  }
  r.status = ParseStatus::kOk;
  r.consumed = eol + 1;
  return r;
}

}  // namespace

ParseResult ParseCommand(std::string_view buf, const ParserLimits& limits,
                         std::vector<std::string_view>* argv) {
  argv->clear();
  ParseResult r;
  if (buf.empty()) return r;
  if (buf[0] != '*') return ParseInline(buf, limits, argv);
  size_t pos = 1;
  int64_t count = 0;
  if (!ReadLineInt(buf, &pos, &count, &r, "multibulk length")) return r;
  if (count > limits.args_max) {
    r.status = ParseStatus::kError;
    r.error = "invalid multibulk length";
    return r;
  }
  if (count <= 0) {  // "*0" / "*-1": an empty command, skipped like Redis does
    r.status = ParseStatus::kOk;
    r.consumed = pos;
    return r;
  }
  argv->reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
  for (int64_t i = 0; i < count; ++i) {
    if (pos >= buf.size()) {
      r.status = ParseStatus::kIncomplete;
      return r;
    }
    if (buf[pos] != '$') {
      r.status = ParseStatus::kError;
      r.error = std::string("expected '$', got '") + buf[pos] + "'";
      return r;
    }
    ++pos;
    int64_t len = 0;
    if (!ReadLineInt(buf, &pos, &len, &r, "bulk length")) return r;
    if (len < 0 || len > limits.bulk_bytes_max) {
      r.status = ParseStatus::kError;
      r.error = "invalid bulk length";
      return r;
    }
    size_t need = pos + static_cast<size_t>(len) + 2;
    if (buf.size() < need) {
      r.status = ParseStatus::kIncomplete;
      r.needed_bytes = need;
      return r;
    }
    if (buf[need - 2] != '\r' || buf[need - 1] != '\n') {
      r.status = ParseStatus::kError;
      r.error = "bulk not terminated by CRLF";
      return r;
    }
    argv->push_back(buf.substr(pos, static_cast<size_t>(len)));
    pos = need;
  }
  r.status = ParseStatus::kOk;
  r.consumed = pos;
  return r;
}

}  // namespace strongbox::engine
