// Stream IDs and the stream value's bookkeeping (see stream.h).
#include "common/state/stream.h"

#include <charconv>

namespace strongbox::state {
namespace {

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string StreamId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamId> StreamId::Next() const {
  if (seq != UINT64_MAX) return StreamId{ms, seq + 1};
  if (ms != UINT64_MAX) return StreamId{ms + 1, 0};
  return std::nullopt;
}

std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq) {
  size_t dash = s.find('-');
  auto ms = ParseU64(s.substr(0, dash));
  if (!ms) return std::nullopt;
  if (dash == std::string_view::npos) return StreamId{*ms, missing_seq};
  auto seq = ParseU64(s.substr(dash + 1));
  if (!seq) return std::nullopt;
  return StreamId{*ms, *seq};
}

std::optional<StreamId> ParseExactStreamId(std::string_view s) {
  if (s.find('-') == std::string_view::npos) return std::nullopt;
  return ParseStreamId(s, 0);
}

size_t StreamValue::EraseThrough(StreamId bound) { return entries.EraseThrough(bound); }

bool StreamValue::Erase(StreamId id) {
  if (!entries.Erase(id)) return false;
  if (id > max_deleted_id) max_deleted_id = id;
  return true;
}

size_t StreamValue::heap_bytes() const { return sizeof(StreamValue) + entries.heap_bytes(); }

}  // namespace strongbox::state
