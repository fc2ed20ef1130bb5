// Fuzzes ParseCommand the way a connection drives it: a pipeline of commands, multibulk and
// inline, parsed one after the other under limits the first input byte picks (small ones too,
// so every limit is reached). Checks what the reader relies on: a command's views lie inside the
// bytes it consumed, a proper prefix of a command is never a command, kIncomplete's size hint
// never asks for more than the command, and re-encoding argv as multibulk parses back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/check.h"
#include "engine/protocol/resp_parser.h"

namespace {

using strongbox::engine::ParseCommand;
using strongbox::engine::ParseResult;
using strongbox::engine::ParserLimits;
using strongbox::engine::ParseStatus;

ParserLimits PickLimits(uint8_t b) {
  ParserLimits limits;
  constexpr int64_t kBulk[] = {512LL * 1024 * 1024, 16, 0, 1};
  constexpr int64_t kArgs[] = {1024 * 1024, 3, 1, 0};
  constexpr size_t kInline[] = {64 * 1024, 8, 0, 1};
  limits.bulk_bytes_max = kBulk[b & 3];
  limits.args_max = kArgs[(b >> 2) & 3];
  limits.inline_bytes_max = kInline[(b >> 4) & 3];
  return limits;
}

std::string EncodeMultibulk(const std::vector<std::string_view>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (std::string_view a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

// A proper prefix of a command of `command_bytes` bytes: more bytes are coming.
void CheckPrefix(std::string_view prefix, size_t command_bytes, const ParserLimits& limits) {
  std::vector<std::string_view> argv;
  ParseResult r = ParseCommand(prefix, limits, &argv);
  SB_CHECK(r.status != ParseStatus::kOk, "a %zu-byte prefix of a %zu-byte command parsed",
           prefix.size(), command_bytes);
  if (r.status == ParseStatus::kIncomplete) {
    SB_CHECK(
        r.needed_bytes == 0 || (r.needed_bytes > prefix.size() && r.needed_bytes <= command_bytes),
        "needed_bytes %zu for a %zu-byte prefix of a %zu-byte command", r.needed_bytes,
        prefix.size(), command_bytes);
  } else {
    // Only a length line longer than the parser waits for (32 bytes) without its CRLF yet.
    SB_CHECK(r.error.rfind("invalid ", 0) == 0, "prefix error '%s'", r.error.c_str());
  }
}

void CheckRoundTrip(const std::vector<std::string_view>& argv, const ParserLimits& limits) {
  if (argv.empty() || static_cast<int64_t>(argv.size()) > limits.args_max) return;
  for (std::string_view a : argv) {
    if (static_cast<int64_t>(a.size()) > limits.bulk_bytes_max) return;
  }
  std::string encoded = EncodeMultibulk(argv);
  std::vector<std::string_view> again;
  ParseResult r = ParseCommand(encoded, limits, &again);
  SB_CHECK(r.status == ParseStatus::kOk && r.consumed == encoded.size(),
           "re-encoded command does not parse back: %s", r.error.c_str());
  SB_CHECK(again == argv, "re-encoded command parses to other arguments");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ParserLimits limits = PickLimits(data[0]);
  // A copy of exactly the input bytes, so ASan sees any read past them.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view buf(bytes);
  std::vector<std::string_view> argv;
  for (int commands = 0; !buf.empty() && commands < 1000; ++commands) {
    ParseResult r = ParseCommand(buf, limits, &argv);
    if (r.status == ParseStatus::kIncomplete) {
      SB_CHECK(r.needed_bytes == 0 || r.needed_bytes > buf.size(),
               "kIncomplete asks for %zu bytes with %zu there", r.needed_bytes, buf.size());
      break;
    }
    if (r.status == ParseStatus::kError) {
      SB_CHECK(!r.error.empty(), "an error without a message");
      break;  // the server replies the error and closes the connection
    }
    SB_CHECK(r.consumed > 0 && r.consumed <= buf.size(), "consumed %zu of %zu", r.consumed,
             buf.size());
    for (std::string_view a : argv) {
      SB_CHECK(a.data() >= buf.data() && a.data() + a.size() <= buf.data() + r.consumed,
               "an argument lies outside the command's bytes");
    }
    for (size_t cut : {r.consumed - 1, r.consumed / 2, r.consumed / 3}) {
      if (cut > 0 && cut < r.consumed) CheckPrefix(buf.substr(0, cut), r.consumed, limits);
    }
    CheckRoundTrip(argv, limits);
    buf.remove_prefix(r.consumed);
  }
  return 0;
}
