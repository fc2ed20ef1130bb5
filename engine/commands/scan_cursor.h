// The arguments of SCAN and HSCAN/SSCAN/ZSCAN. The iteration itself is the tables': SCAN walks
// the key table's buckets (KeyTable::Scan) and the collections' scans walk their Dict's
// (state/dict.h), or return a packed collection whole; either way a cursor is a bucket index
// (< 2^53) and COUNT bounds the work of a call.
#pragma once

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "engine/commands/command_util.h"

namespace strongbox::engine {

// Redis's parseScanCursorOrReply is strtoul: an optional sign ("-1" wraps to 2^64-1), an empty
// cursor is 0, a leading space, trailing bytes or overflow are an invalid cursor.
inline std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  uint64_t v = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}

struct ScanArgs {
  uint64_t cursor = 0;
  // nullopt = everything: no MATCH, or MATCH * (Redis skips matching for exactly "*"; any other
  // pattern, "" too, is matched).
  std::optional<std::string_view> pattern;
  size_t count = 10;
  std::optional<std::string> type;  // SCAN only
};

// Parses "<cursor> [MATCH pattern] [COUNT n] [TYPE t]" starting at argv[cursor_index], with
// Redis's errors; on bad input writes the error and returns nullopt.
inline std::optional<ScanArgs> ParseScanArgs(CommandContext& ctx, size_t cursor_index,
                                             bool allow_type) {
  ScanArgs a;
  auto cursor = ParseScanCursor(ctx.argv[cursor_index]);
  if (!cursor) {
    ctx.reply.Error("ERR invalid cursor");
    return std::nullopt;
  }
  a.cursor = *cursor;
  for (size_t i = cursor_index + 1; i < ctx.argv.size(); i += 2) {
    std::string opt = i + 1 < ctx.argv.size() ? ToLower(ctx.argv[i]) : "";
    if (opt == "match") {
      a.pattern = ctx.argv[i + 1];
      if (*a.pattern == "*") a.pattern.reset();
    } else if (opt == "count") {
      auto c = ParseInt(ctx.argv[i + 1]);
      if (!c) {
        ctx.reply.Error(kErrNotInteger);
        return std::nullopt;
      }
      if (*c < 1) {
        ctx.reply.Error(kErrSyntax);
        return std::nullopt;
      }
      a.count = static_cast<size_t>(*c);
    } else if (opt == "type" && allow_type) {
      a.type = ToLower(ctx.argv[i + 1]);
    } else {
      ctx.reply.Error(kErrSyntax);
      return std::nullopt;
    }
  }
  return a;
}

}  // namespace strongbox::engine
