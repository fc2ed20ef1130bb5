#include "common/rdb/rdb_reader.h"

#include <lzf.h>  // liblzf-dev (pkg-config liblzf)

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace strongbox::rdb {
namespace {

// rdb.h's length prefixes: the top two bits of the first byte.
constexpr uint8_t kLen6Bit = 0;
constexpr uint8_t kLen14Bit = 1;
constexpr uint8_t kLen32Or64Bit = 2;
constexpr uint8_t kEncodedValue = 3;
constexpr uint8_t kLen32 = 0x80;
constexpr uint8_t kLen64 = 0x81;
// The encodings after kEncodedValue.
constexpr uint8_t kEncInt8 = 0;
constexpr uint8_t kEncInt16 = 1;
constexpr uint8_t kEncInt32 = 2;
constexpr uint8_t kEncLzf = 3;
// One LZF back-reference (3 bytes) expands to at most 264 bytes.
constexpr uint64_t kLzfExpansionMax = 88;

}  // namespace

bool Reader::Fail(std::string_view why) {
  if (error_.empty()) error_ = std::string(why);
  pos_ = in_.size();
  return false;
}

uint8_t Reader::U8() {
  if (!ok() || remaining() < 1) return Fail("unexpected end of input"), 0;
  return static_cast<uint8_t>(in_[pos_++]);
}

std::string_view Reader::Raw(size_t n) {
  if (!ok() || remaining() < n) return Fail("unexpected end of input"), std::string_view();
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

uint32_t Reader::U32LE() {
  std::string_view b = Raw(4);
  uint32_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= uint32_t{static_cast<uint8_t>(b[i])} << (8 * i);
  return v;
}

uint64_t Reader::U64LE() {
  std::string_view b = Raw(8);
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= uint64_t{static_cast<uint8_t>(b[i])} << (8 * i);
  return v;
}

uint64_t Reader::U64BE() {
  std::string_view b = Raw(8);
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

uint64_t Reader::Length() {
  uint8_t first = U8();
  switch (first >> 6) {
    case kLen6Bit:
      return first & 0x3f;
    case kLen14Bit:
      return (uint64_t{first & 0x3fu} << 8) | U8();
    case kLen32Or64Bit:
      if (first == kLen32) {
        std::string_view b = Raw(4);
        uint64_t v = 0;
        for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
        return v;
      }
      if (first == kLen64) return U64BE();
      return Fail("unknown length encoding"), 0;
    default:
      return Fail("encoded value where a length was expected"), 0;
  }
}

uint64_t Reader::Count(size_t min_item_bytes) {
  uint64_t n = Length();
  if (ok() && min_item_bytes > 0 && n > remaining() / min_item_bytes) {
    return Fail("count larger than the input"), 0;
  }
  return n;
}

std::string Reader::String() {
  uint8_t first = U8();
  if (!ok()) return {};
  if ((first >> 6) != kEncodedValue) {
    --pos_;
    uint64_t len = Length();
    if (len > remaining()) return Fail("string longer than the input"), std::string();
    return std::string(Raw(len));
  }
  switch (first & 0x3f) {
    case kEncInt8:
      return std::to_string(static_cast<int8_t>(U8()));
    case kEncInt16: {
      std::string_view b = Raw(2);
      if (!ok()) return {};
      auto v = static_cast<int16_t>(static_cast<uint8_t>(b[0]) | (static_cast<uint8_t>(b[1]) << 8));
      return std::to_string(v);
    }
    case kEncInt32:
      return std::to_string(static_cast<int32_t>(U32LE()));
    case kEncLzf: {
      uint64_t compressed_len = Length();
      uint64_t expanded_len = Length();
      if (!ok() || compressed_len > remaining()) return Fail("LZF data longer than the input"), "";
      std::string out;
      if (!LzfDecompress(Raw(compressed_len), expanded_len, &out)) {
        return Fail("invalid LZF compressed string"), std::string();
      }
      return out;
    }
    default:
      return Fail("unknown string encoding"), std::string();
  }
}

bool LzfDecompress(std::string_view compressed, uint64_t expanded_bytes, std::string* out) {
  if (compressed.empty() || expanded_bytes == 0 || expanded_bytes > kStringBytesMax ||
      expanded_bytes > compressed.size() * kLzfExpansionMax) {
    return false;
  }
  out->resize(expanded_bytes);
  unsigned int got = lzf_decompress(compressed.data(), static_cast<unsigned int>(compressed.size()),
                                    out->data(), static_cast<unsigned int>(expanded_bytes));
  return got == expanded_bytes;
}

double Reader::BinaryDouble() {
  uint64_t bits = U64LE();
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

double Reader::TextDouble() {
  uint8_t len = U8();
  switch (len) {
    case 253:
      return std::numeric_limits<double>::quiet_NaN();
    case 254:
      return std::numeric_limits<double>::infinity();
    case 255:
      return -std::numeric_limits<double>::infinity();
    default: {
      std::string text(Raw(len));
      if (!ok()) return 0;
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) return Fail("invalid double"), 0;
      return v;
    }
  }
}

}  // namespace strongbox::rdb
