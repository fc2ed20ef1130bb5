// Reading RDB primitives (Redis 7.0's rdb.c): lengths, strings (raw, integer-encoded, LZF),
// doubles and times. Every read is bounds-checked: a short or damaged input sets a sticky error
// and later reads return empty values, so callers check ok() once per loop step. No read
// allocates more than the bytes left in the input justify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strongbox::rdb {

// Redis's proto-max-bulk-len: the largest string a value may hold.
inline constexpr uint64_t kStringBytesMax = uint64_t{512} * 1024 * 1024;

class Reader {
 public:
  explicit Reader(std::string_view bytes) : in_(bytes) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Records the first error only; returns false for `return r.Fail(...)`.
  bool Fail(std::string_view why);
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == in_.size(); }

  uint8_t U8();
  std::string_view Raw(size_t n);
  uint32_t U32LE();
  uint64_t U64LE();
  uint64_t U64BE();
  // A length (rdbLoadLen). An encoded-string marker is an error here.
  uint64_t Length();
  // A length that counts items each taking at least `min_item_bytes` of the input: a count
  // the remaining bytes cannot hold is damage (keeps loops and reservations bounded).
  uint64_t Count(size_t min_item_bytes);
  // A string object (rdbGenericLoadStringObject): raw, int8/16/32 or LZF.
  std::string String();
  double BinaryDouble();  // ZSET_2: 8 bytes little-endian IEEE-754
  double TextDouble();    // ZSET: length byte, then text or 253/254/255 = nan/+inf/-inf
  int64_t MillisLE() { return static_cast<int64_t>(U64LE()); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

// liblzf's decompression with Redis's framing checks (compressed and expanded lengths).
bool LzfDecompress(std::string_view compressed, uint64_t expanded_bytes, std::string* out);

}  // namespace strongbox::rdb
