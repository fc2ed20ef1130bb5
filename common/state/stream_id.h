// A stream entry's ID (ms-seq) and how Redis's commands spell it; ordered as Redis orders IDs.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strongbox::state {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  std::string ToString() const;
  // The next ID after this one; nullopt past UINT64_MAX-UINT64_MAX.
  std::optional<StreamId> Next() const;
};

// "ms-seq" or "ms" (seq = missing_seq), both parts decimal u64 as Redis's string2ull reads them.
std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq);
// Exactly "ms-seq" (the log's and snapshots' form).
std::optional<StreamId> ParseExactStreamId(std::string_view s);

}  // namespace strongbox::state
