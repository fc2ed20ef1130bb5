#include "common/rdb/rdb_writer.h"

#include <lzf.h>  // liblzf-dev (pkg-config liblzf)

#include <cstring>

#include "common/rdb/packed_formats.h"

namespace strongbox::rdb {
namespace {

void AppendBigEndian(uint64_t v, size_t n, std::string* out) {
  for (size_t i = n; i-- > 0;) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// rdbSaveLzfStringObject: strings longer than this are tried compressed (rdbcompression yes).
constexpr size_t kLzfMinBytes = 20;

// Appends the LZF form of `s` if it saves at least 4 bytes, as Redis does; false otherwise.
bool AppendLzf(std::string_view s, std::string* out) {
  if (s.size() <= kLzfMinBytes || s.size() > UINT32_MAX) return false;
  std::string compressed(s.size() - 4, '\0');
  unsigned int n = lzf_compress(s.data(), static_cast<unsigned int>(s.size()), compressed.data(),
                                static_cast<unsigned int>(compressed.size()));
  if (n == 0) return false;
  out->push_back(static_cast<char>(0xc3));
  AppendLength(n, out);
  AppendLength(s.size(), out);
  out->append(compressed.data(), n);
  return true;
}

}  // namespace

void AppendU64LE(uint64_t v, std::string* out) {
  for (size_t i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void AppendU32LE(uint32_t v, std::string* out) {
  for (size_t i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void AppendLength(uint64_t n, std::string* out) {
  if (n < (1u << 6)) {
    out->push_back(static_cast<char>(n));
  } else if (n < (1u << 14)) {
    out->push_back(static_cast<char>(0x40 | (n >> 8)));
    out->push_back(static_cast<char>(n & 0xff));
  } else if (n <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    AppendBigEndian(n, 4, out);
  } else {
    out->push_back(static_cast<char>(0x81));
    AppendBigEndian(n, 8, out);
  }
}

void AppendString(std::string_view s, std::string* out) {
  // rdbTryIntegerEncoding: a canonical integer of at most 11 characters that fits 32 bits.
  if (auto v = CanonicalInt(s); v && s.size() <= 11) {
    if (*v >= INT8_MIN && *v <= INT8_MAX) {
      out->push_back(static_cast<char>(0xc0));
      out->push_back(static_cast<char>(*v & 0xff));
      return;
    }
    if (*v >= INT16_MIN && *v <= INT16_MAX) {
      out->push_back(static_cast<char>(0xc1));
      for (size_t i = 0; i < 2; ++i) out->push_back(static_cast<char>((*v >> (8 * i)) & 0xff));
      return;
    }
    if (*v >= INT32_MIN && *v <= INT32_MAX) {
      out->push_back(static_cast<char>(0xc2));
      AppendU32LE(static_cast<uint32_t>(*v), out);
      return;
    }
  }
  if (AppendLzf(s, out)) return;
  AppendLength(s.size(), out);
  out->append(s);
}

void AppendBinaryDouble(double v, std::string* out) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  AppendU64LE(bits, out);
}

}  // namespace strongbox::rdb
