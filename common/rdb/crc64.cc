// A byte-at-a-time table CRC: fast enough for DUMP payloads and RDB files, and small.
#include "common/rdb/crc64.h"

#include <array>

namespace strongbox::rdb {
namespace {

// The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected form.
constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ull;

constexpr std::array<uint64_t, 256> BuildTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint64_t, 256> kTable = BuildTable();

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view bytes) {
  for (unsigned char c : bytes) crc = kTable[(crc ^ c) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace strongbox::rdb
