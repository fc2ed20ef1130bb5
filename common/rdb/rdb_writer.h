// Writing RDB primitives, the inverse of rdb_reader.h: lengths, strings (integer-encoded or
// LZF-compressed when Redis would, raw otherwise), doubles and times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strongbox::rdb {

void AppendLength(uint64_t n, std::string* out);
void AppendString(std::string_view s, std::string* out);
void AppendBinaryDouble(double v, std::string* out);
void AppendU64LE(uint64_t v, std::string* out);
void AppendU32LE(uint32_t v, std::string* out);

}  // namespace strongbox::rdb
