// Redis's CRC-64 (Jones polynomial, reflected in and out, initial value 0): the checksum of DUMP
// payloads and of RDB files. Check value: Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstdint>
#include <string_view>

namespace strongbox::rdb {

// Continues a checksum: Crc64(Crc64(0, a), b) == Crc64(0, a + b).
uint64_t Crc64(uint64_t crc, std::string_view bytes);

}  // namespace strongbox::rdb
