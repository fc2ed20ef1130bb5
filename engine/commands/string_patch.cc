#include "engine/commands/string_patch.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

// Windows closer than this are logged as one patch: a SETRANGE costs ~30 bytes of framing.
constexpr size_t kPatchGapBytes = 32;
// Past this many windows one SET of the value is cheaper to log and to replay.
constexpr size_t kPatchesMax = 16;

// [begin, end) byte windows where `next` differs from `prev` (bytes past prev count as changed).
std::vector<std::pair<size_t, size_t>> DiffWindows(std::string_view prev, std::string_view next) {
  std::vector<std::pair<size_t, size_t>> windows;
  size_t i = 0;
  while (i < next.size()) {
    if (i < prev.size() && prev[i] == next[i]) {
      ++i;
      continue;
    }
    size_t begin = i, last = i;
    for (; i < next.size() && i <= last + kPatchGapBytes; ++i) {
      if (i >= prev.size() || prev[i] != next[i]) last = i;
    }
    windows.emplace_back(begin, last + 1);
    i = last + 1;
    if (windows.size() > kPatchesMax) break;
  }
  return windows;
}

}  // namespace

void ApplyStringChange(CommandContext& ctx, std::string_view key, bool prev_exists,
                       std::string_view prev, std::string_view next) {
  if (!prev_exists) {
    DropIfExpired(ctx, key);
    Apply(ctx, {"SET", key, next});
    return;
  }
  auto windows = next.size() >= prev.size() ? DiffWindows(prev, next)
                                            : std::vector<std::pair<size_t, size_t>>{};
  if (next.size() < prev.size() || windows.size() > kPatchesMax) {
    Apply(ctx, {"SET", key, next, "KEEPTTL"});
    return;
  }
  // Copies first: each Apply may move the bytes `prev` points into.
  std::vector<std::pair<std::string, std::string>> patches;
  for (auto [begin, end] : windows) {
    patches.emplace_back(IntToString(static_cast<int64_t>(begin)),
                         std::string(next.substr(begin, end - begin)));
  }
  for (const auto& [offset, bytes] : patches) Apply(ctx, {"SETRANGE", key, offset, bytes});
}

}  // namespace strongbox::engine
