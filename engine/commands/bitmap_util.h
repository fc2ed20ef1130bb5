// Bit-level helpers shared by the bitmap commands (bitmap_commands.cc, bitfield_commands.cc):
// Redis's bit numbering (bit 0 = most significant bit of byte 0) and its offset argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/commands/command.h"

namespace strongbox::engine {

// The largest bit offset: a string is at most proto-max-bulk-len (512 MB) bytes.
inline constexpr int64_t kBitOffsetMax = int64_t{512} * 1024 * 1024 * 8 - 1;
inline constexpr std::string_view kErrBitOffset =
    "ERR bit offset is not an integer or out of range";

// Redis's getBitOffsetFromArgument: an offset in [0, kBitOffsetMax]; with `hash_ok`, "#N" means
// N * `bits`. On failure the error is replied and nullopt returned.
std::optional<uint64_t> ParseBitOffset(CommandContext& ctx, std::string_view arg, bool hash_ok,
                                       int bits);

// Set bits in [first_bit, last_bit] of `s` (inclusive, both within s; none when first > last).
int64_t CountBits(std::string_view s, int64_t first_bit, int64_t last_bit);
// The first bit equal to `one` in [first_bit, last_bit], or -1.
int64_t FindBit(std::string_view s, int64_t first_bit, int64_t last_bit, bool one);

// `bits` (1..64) bits at bit `offset`, most significant first; bytes past `s` read as zero.
uint64_t GetBits(std::string_view s, uint64_t offset, int bits);
// Writes the low `bits` bits of `value` at bit `offset` of `buf` (which must hold them).
void SetBits(char* buf, uint64_t offset, int bits, uint64_t value);

}  // namespace strongbox::engine
