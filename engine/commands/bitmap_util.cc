#include "engine/commands/bitmap_util.h"

#include <bit>
#include <cstring>

#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

inline bool BitAt(std::string_view s, int64_t i) {
  return (static_cast<uint8_t>(s[static_cast<size_t>(i >> 3)]) >> (7 - (i & 7))) & 1;
}

}  // namespace

std::optional<uint64_t> ParseBitOffset(CommandContext& ctx, std::string_view arg, bool hash_ok,
                                       int bits) {
  bool hash = hash_ok && bits > 0 && !arg.empty() && arg[0] == '#';
  auto v = ParseInt(hash ? arg.substr(1) : arg);
  // "#N" multiplies by the width; a product that overflows is out of range too.
  if (v && hash) v = (*v > kBitOffsetMax || *v < -kBitOffsetMax) ? -1 : *v * bits;
  if (!v || *v < 0 || *v > kBitOffsetMax) {
    ctx.reply.Error(kErrBitOffset);
    return std::nullopt;
  }
  return static_cast<uint64_t>(*v);
}

int64_t CountBits(std::string_view s, int64_t first_bit, int64_t last_bit) {
  int64_t count = 0;
  int64_t i = first_bit;
  for (; i <= last_bit && (i & 7) != 0; ++i) count += BitAt(s, i);
  // Whole bytes, eight at a time where possible.
  int64_t byte = i >> 3, last_whole = ((last_bit + 1) >> 3) - 1;
  for (; byte + 7 <= last_whole; byte += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + byte, 8);
    count += std::popcount(word);
  }
  for (; byte <= last_whole; ++byte) count += std::popcount(static_cast<uint8_t>(s[byte]));
  for (i = std::max(i, byte * 8); i <= last_bit; ++i) count += BitAt(s, i);
  return count;
}

int64_t FindBit(std::string_view s, int64_t first_bit, int64_t last_bit, bool one) {
  uint8_t skip = one ? 0x00 : 0xff;  // a byte that cannot hold the bit sought
  for (int64_t i = first_bit; i <= last_bit;) {
    if ((i & 7) == 0 && i + 7 <= last_bit && static_cast<uint8_t>(s[i >> 3]) == skip) {
      i += 8;
      continue;
    }
    if (BitAt(s, i) == one) return i;
    ++i;
  }
  return -1;
}

uint64_t GetBits(std::string_view s, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int j = 0; j < bits; ++j) {
    uint64_t i = offset + j;
    uint64_t byte = i >> 3;
    int bit = byte < s.size() ? (static_cast<uint8_t>(s[byte]) >> (7 - (i & 7))) & 1 : 0;
    value = (value << 1) | static_cast<uint64_t>(bit);
  }
  return value;
}

void SetBits(char* buf, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; ++j) {
    uint64_t i = offset + j;
    int bit = (value >> (bits - 1 - j)) & 1;
    auto mask = static_cast<uint8_t>(1u << (7 - (i & 7)));
    auto& b = reinterpret_cast<uint8_t&>(buf[i >> 3]);
    b = bit ? (b | mask) : (b & ~mask);
  }
}

}  // namespace strongbox::engine
