// Bit helpers against a bit-by-bit reference on random strings and ranges (Redis numbers bit 0
// as the most significant bit of byte 0).
#include "engine/commands/bitmap_util.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace strongbox::engine::testing {
namespace {

int Bit(const std::string& s, int64_t i) {
  return (static_cast<uint8_t>(s[i / 8]) >> (7 - i % 8)) & 1;
}

TEST_CASE("CountBits and FindBit agree with a bit-by-bit scan") {
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    std::string s(1 + rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 3 == 0 ? 0xff : rng() % 3 == 0 ? 0 : rng());
    int64_t bits = static_cast<int64_t>(s.size()) * 8;
    int64_t a = rng() % bits, b = rng() % bits;
    int64_t count = 0, first_one = -1, first_zero = -1;
    for (int64_t i = a; i <= b; ++i) {
      count += Bit(s, i);
      if (Bit(s, i) && first_one < 0) first_one = i;
      if (!Bit(s, i) && first_zero < 0) first_zero = i;
    }
    CHECK(CountBits(s, a, b) == count);
    CHECK(FindBit(s, a, b, true) == first_one);
    CHECK(FindBit(s, a, b, false) == first_zero);
  }
}

TEST_CASE("SetBits then GetBits returns the field, other bits untouched") {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 300; ++round) {
    std::string s(20, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string before = s;
    int bits = 1 + static_cast<int>(rng() % 64);
    uint64_t offset = rng() % (160 - bits + 1);
    uint64_t value = rng() & (bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1);
    SetBits(s.data(), offset, bits, value);
    CHECK(GetBits(s, offset, bits) == value);
    for (int64_t i = 0; i < 160; ++i) {
      if (i < static_cast<int64_t>(offset) || i >= static_cast<int64_t>(offset) + bits) {
        CHECK(Bit(s, i) == Bit(before, i));
      }
    }
  }
  CHECK(GetBits("\x80", 0, 16) == 0x8000);  // bytes past the end read as zero
}

}  // namespace
}  // namespace strongbox::engine::testing
