// The reverse-binary cursor order of Redis's dictScan, shared by the key table and the
// collections' Dict. A cursor is a bucket index; it advances by incrementing its bit-reversed
// value, so the buckets a table's nodes move to when it doubles (or come from when it halves)
// are visited together, and an element present for a whole scan is returned at least once
// whatever resizes happen between calls.
#pragma once

#include <cstdint>

namespace strongbox::state {

inline uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

// The cursor after `cursor` in a table of `mask + 1` buckets (0 once every bucket was seen):
// the bits above the mask are set so that the carry runs through the masked bits only, high
// bit first.
inline uint64_t NextScanCursor(uint64_t cursor, uint64_t mask) {
  return ReverseBits(ReverseBits(cursor | ~mask) + 1);
}

}  // namespace strongbox::state
