#include "common/rdb/packed_formats.h"

#include <charconv>

#include "common/rdb/rdb_reader.h"

namespace strongbox::rdb {
namespace {

constexpr uint8_t kBlobEnd = 0xff;
constexpr uint16_t kCountUnknown = 0xffff;  // ziplist / listpack header count past 65534

absl::Status Damaged(std::string_view what, std::string_view why) {
  return absl::DataLossError(std::string(what) + ": " + std::string(why));
}

int64_t SignExtend(uint64_t v, int bits) {
  uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

uint64_t LittleEndian(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= uint64_t{static_cast<uint8_t>(b[i])} << (8 * i);
  return v;
}

// One ziplist entry's payload after its prevlen.
std::string ZiplistEntry(Reader& r) {
  uint8_t enc = r.U8();
  switch (enc >> 6) {
    case 0:
      return std::string(r.Raw(enc & 0x3f));
    case 1:
      return std::string(r.Raw((size_t{enc & 0x3fu} << 8) | r.U8()));
    case 2: {
      if (enc != 0x80) return r.Fail("bad ziplist string encoding"), "";
      std::string_view b = r.Raw(4);
      uint64_t len = 0;
      for (char c : b) len = (len << 8) | static_cast<uint8_t>(c);
      if (len > r.remaining()) return r.Fail("ziplist string past the end"), "";
      return std::string(r.Raw(len));
    }
    default:
      break;
  }
  switch (enc) {
    case 0xc0:
      return std::to_string(SignExtend(LittleEndian(r.Raw(2)), 16));
    case 0xd0:
      return std::to_string(SignExtend(LittleEndian(r.Raw(4)), 32));
    case 0xe0:
      return std::to_string(static_cast<int64_t>(LittleEndian(r.Raw(8))));
    case 0xf0:
      return std::to_string(SignExtend(LittleEndian(r.Raw(3)), 24));
    case 0xfe:
      return std::to_string(SignExtend(LittleEndian(r.Raw(1)), 8));
    default:
      if (enc >= 0xf1 && enc <= 0xfd) return std::to_string((enc & 0x0f) - 1);
      return r.Fail("bad ziplist entry encoding"), "";
  }
}

// One listpack entry (encoding + data), without its back-length.
std::string ListpackEntry(Reader& r) {
  uint8_t enc = r.U8();
  if ((enc & 0x80) == 0) return std::to_string(enc & 0x7f);
  if ((enc & 0xc0) == 0x80) return std::string(r.Raw(enc & 0x3f));
  if ((enc & 0xe0) == 0xc0)
    return std::to_string(SignExtend((uint64_t{enc & 0x1fu} << 8) | r.U8(), 13));
  if ((enc & 0xf0) == 0xe0) return std::string(r.Raw((size_t{enc & 0x0fu} << 8) | r.U8()));
  switch (enc) {
    case 0xf0: {
      uint64_t len = LittleEndian(r.Raw(4));
      if (len > r.remaining()) return r.Fail("listpack string past the end"), "";
      return std::string(r.Raw(len));
    }
    case 0xf1:
      return std::to_string(SignExtend(LittleEndian(r.Raw(2)), 16));
    case 0xf2:
      return std::to_string(SignExtend(LittleEndian(r.Raw(3)), 24));
    case 0xf3:
      return std::to_string(SignExtend(LittleEndian(r.Raw(4)), 32));
    case 0xf4:
      return std::to_string(static_cast<int64_t>(LittleEndian(r.Raw(8))));
    default:
      return r.Fail("bad listpack entry encoding"), "";
  }
}

// The bytes of a listpack back-length for an entry of `entry_bytes` (lpEncodeBacklen's sizes).
size_t BacklenBytes(uint64_t entry_bytes) {
  size_t n = 1;
  while (n < 5 && entry_bytes >= (uint64_t{1} << (7 * n))) ++n;
  return n;
}

std::string EncodeBacklen(uint64_t entry_bytes) {
  size_t n = BacklenBytes(entry_bytes);
  std::string out(n, '\0');
  // The first byte holds the most significant 7 bits; every later byte has bit 7 set.
  for (size_t i = 0; i < n; ++i) {
    uint8_t bits = static_cast<uint8_t>((entry_bytes >> (7 * (n - 1 - i))) & 0x7f);
    out[i] = static_cast<char>(i == 0 ? bits : bits | 0x80);
  }
  return out;
}

std::string LittleEndianBytes(uint64_t v, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> DecodeZiplist(std::string_view blob) {
  Reader r(blob);
  uint32_t total_bytes = r.U32LE();
  r.U32LE();  // offset of the tail: not needed to walk forwards
  uint16_t count = static_cast<uint16_t>(LittleEndian(r.Raw(2)));
  if (!r.ok() || total_bytes != blob.size()) return Damaged("ziplist", "bad header");
  std::vector<std::string> out;
  while (r.ok() && r.remaining() > 1) {
    uint8_t prevlen = r.U8();
    if (prevlen == kBlobEnd) return Damaged("ziplist", "terminator inside the entries");
    if (prevlen == 0xfe) r.Raw(4);
    out.push_back(ZiplistEntry(r));
  }
  if (!r.ok()) return Damaged("ziplist", r.error());
  if (r.U8() != kBlobEnd) return Damaged("ziplist", "no terminator");
  if (count != kCountUnknown && count != out.size()) return Damaged("ziplist", "wrong count");
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeListpack(std::string_view blob) {
  Reader r(blob);
  uint32_t total_bytes = r.U32LE();
  uint16_t count = static_cast<uint16_t>(LittleEndian(r.Raw(2)));
  if (!r.ok() || total_bytes != blob.size()) return Damaged("listpack", "bad header");
  std::vector<std::string> out;
  while (r.ok() && r.remaining() > 1) {
    size_t start = r.position();
    out.push_back(ListpackEntry(r));
    size_t entry_bytes = r.position() - start;
    r.Raw(BacklenBytes(entry_bytes));
  }
  if (!r.ok()) return Damaged("listpack", r.error());
  if (r.U8() != kBlobEnd) return Damaged("listpack", "no terminator");
  if (count != kCountUnknown && count != out.size()) return Damaged("listpack", "wrong count");
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeIntset(std::string_view blob) {
  Reader r(blob);
  uint32_t width = r.U32LE();
  uint32_t count = r.U32LE();
  if (!r.ok() || (width != 2 && width != 4 && width != 8)) return Damaged("intset", "bad header");
  if (uint64_t{count} * width != r.remaining()) return Damaged("intset", "wrong length");
  std::vector<std::string> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    out.push_back(
        std::to_string(SignExtend(LittleEndian(r.Raw(width)), static_cast<int>(width * 8))));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeZipmap(std::string_view blob) {
  Reader r(blob);
  r.U8();  // element count hint (254 and more: unknown)
  std::vector<std::string> out;
  auto read_len = [&r]() -> uint64_t {
    uint8_t len = r.U8();
    if (len < 254) return len;
    if (len == 254) return r.U32LE();
    r.Fail("zipmap length marker");
    return 0;
  };
  while (r.ok()) {
    if (r.remaining() >= 1 && static_cast<uint8_t>(blob[r.position()]) == kBlobEnd) break;
    uint64_t key_len = read_len();
    out.emplace_back(r.Raw(key_len));
    uint64_t value_len = read_len();
    uint8_t free_bytes = r.U8();
    out.emplace_back(r.Raw(value_len));
    r.Raw(free_bytes);
  }
  if (!r.ok()) return Damaged("zipmap", r.error());
  r.U8();
  if (!r.at_end()) return Damaged("zipmap", "bytes after the terminator");
  return out;
}

std::optional<int64_t> CanonicalInt(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (std::to_string(v) != s) return std::nullopt;  // "+1", "01", "-0" stay strings
  return v;
}

ListpackWriter::ListpackWriter() = default;

void ListpackWriter::AddEncoded(std::string_view encoded) {
  body_.append(encoded);
  body_.append(EncodeBacklen(encoded.size()));
  ++count_;
}

void ListpackWriter::AddInt(int64_t v) {
  std::string e;
  if (v >= 0 && v <= 127) {
    e.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    e.push_back(static_cast<char>(0xc0 | (u >> 8)));
    e.push_back(static_cast<char>(u & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    e = "\xf1" + LittleEndianBytes(static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    e = "\xf2" + LittleEndianBytes(static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    e = "\xf3" + LittleEndianBytes(static_cast<uint64_t>(v), 4);
  } else {
    e = "\xf4" + LittleEndianBytes(static_cast<uint64_t>(v), 8);
  }
  AddEncoded(e);
}

void ListpackWriter::AddString(std::string_view s) {
  if (auto v = CanonicalInt(s)) return AddInt(*v);
  std::string e;
  if (s.size() < 64) {
    e.push_back(static_cast<char>(0x80 | s.size()));
  } else if (s.size() < 4096) {
    e.push_back(static_cast<char>(0xe0 | (s.size() >> 8)));
    e.push_back(static_cast<char>(s.size() & 0xff));
  } else {
    e = "\xf0" + LittleEndianBytes(s.size(), 4);
  }
  e.append(s);
  AddEncoded(e);
}

std::string ListpackWriter::Finish() const {
  uint64_t total = 6 + body_.size() + 1;
  std::string out = LittleEndianBytes(total, 4);
  out += LittleEndianBytes(count_ < kCountUnknown ? count_ : kCountUnknown, 2);
  out += body_;
  out.push_back(static_cast<char>(kBlobEnd));
  return out;
}

}  // namespace strongbox::rdb
