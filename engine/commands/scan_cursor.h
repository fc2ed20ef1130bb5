// Cursor iteration for SCAN and HSCAN/SSCAN/ZSCAN over tables that may change between calls.
// SCAN walks the key table's buckets (KeyTable::Scan): the cursor is a bucket index and COUNT
// bounds the work of a call. The collections' scans (ScanStep) use a position in the space of
// 64-bit element hashes: each call returns the elements whose hash lies in [cursor, next), in
// hash order, so every element present for the whole scan is returned exactly once whatever
// rehashing happens in between. Each such call looks at the whole collection, so it returns at
// least max(COUNT, size/32) elements to bound a full scan to ~32 passes.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

inline uint64_t ScanHash(std::string_view key) {
  // Never 0, so that cursor 0 can mean both "start" and "done".
  uint64_t h = XXH3_64bits(key.data(), key.size());
  return h == 0 ? 1 : h;
}

// One step of a scan over a collection of `size` elements. `for_each(visit)` must call
// visit(key, item) for every element (key: what the cursor hashes; item: what `emit` gets).
// Calls `emit(item)` for the chosen elements in hash order; returns the next cursor (0 = done).
template <typename Item, typename ForEach, typename Emit>
uint64_t ScanStep(size_t size, ForEach for_each, uint64_t cursor, size_t count, Emit emit) {
  size_t batch = std::max(count, size / 32);
  std::vector<std::pair<uint64_t, Item>> picked;
  for_each([&](std::string_view key, Item item) {
    uint64_t h = ScanHash(key);
    if (h >= cursor) picked.emplace_back(h, item);
  });
  uint64_t next = 0;
  if (picked.size() > batch) {
    std::nth_element(picked.begin(), picked.begin() + static_cast<long>(batch), picked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    next = picked[batch].first;
    // Keys sharing the boundary hash must all go in the same call.
    picked.erase(std::remove_if(picked.begin(), picked.end(),
                                [next](const auto& p) { return p.first >= next; }),
                 picked.end());
  }
  std::sort(picked.begin(), picked.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& p : picked) emit(p.second);
  return next;
}

}  // namespace strongbox::engine
