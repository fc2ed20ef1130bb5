#include "common/state/packed_strings.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "common/util/check.h"

namespace strongbox::state {
namespace {

uint16_t Load16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
void Store16(char* p, uint16_t v) { std::memcpy(p, &v, sizeof(v)); }

size_t VarintBytes(size_t n) {
  size_t bytes = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++bytes;
  }
  return bytes;
}

char* PutVarint(char* p, size_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

size_t EncodedBytes(std::string_view s) { return VarintBytes(s.size()) + s.size(); }

}  // namespace

PackedStrings::~PackedStrings() { std::free(block_); }

PackedStrings::PackedStrings(const PackedStrings& other) {
  if (other.block_ == nullptr) return;
  size_t n = other.bytes_used();
  block_ = static_cast<char*>(std::malloc(n));
  if (block_ == nullptr) throw std::bad_alloc();
  std::memcpy(block_, other.block_, n);
}

PackedStrings& PackedStrings::operator=(PackedStrings&& other) noexcept {
  if (this != &other) {
    std::free(block_);
    block_ = other.block_;
    other.block_ = nullptr;
  }
  return *this;
}

size_t PackedStrings::count() const { return block_ == nullptr ? 0 : Load16(block_ + 2); }
size_t PackedStrings::bytes_used() const { return block_ == nullptr ? 0 : Load16(block_); }

std::string_view PackedStrings::At(size_t pos, size_t* next) const {
  const auto* p = reinterpret_cast<const unsigned char*>(block_ + pos);
  size_t len = 0;
  int shift = 0;
  while (*p & 0x80) {
    len |= static_cast<size_t>(*p++ & 0x7f) << shift;
    shift += 7;
  }
  len |= static_cast<size_t>(*p++) << shift;
  const char* data = reinterpret_cast<const char*>(p);
  *next = static_cast<size_t>(data - block_) + len;
  return {data, len};
}

void PackedStrings::Splice(size_t pos, size_t remove_bytes, size_t insert_bytes,
                           int64_t count_delta) {
  size_t used = block_ == nullptr ? kHeaderBytes : bytes_used();
  size_t count_now = count();
  SB_CHECK(pos >= kHeaderBytes && pos + remove_bytes <= used, "packed splice out of range");
  size_t new_used = used - remove_bytes + insert_bytes;
  size_t tail = used - pos - remove_bytes;
  SB_CHECK(new_used <= kMaxBytes, "packed block over %zu bytes", kMaxBytes);
  if (new_used == kHeaderBytes) {
    Clear();
    return;
  }
  if (insert_bytes < remove_bytes) {
    std::memmove(block_ + pos + insert_bytes, block_ + pos + remove_bytes, tail);
  }
  char* grown = static_cast<char*>(std::realloc(block_, new_used));
  if (grown == nullptr) throw std::bad_alloc();
  if (block_ == nullptr) Store16(grown + 2, 0);
  block_ = grown;
  if (insert_bytes > remove_bytes) {
    std::memmove(block_ + pos + insert_bytes, block_ + pos + remove_bytes, tail);
  }
  Store16(block_, static_cast<uint16_t>(new_used));
  Store16(block_ + 2, static_cast<uint16_t>(static_cast<int64_t>(count_now) + count_delta));
}

void PackedStrings::Insert(size_t pos, std::span<const std::string_view> items) {
  auto lo = reinterpret_cast<uintptr_t>(block_);
  for (auto s : items) {
    auto at = reinterpret_cast<uintptr_t>(s.data());
    if (block_ != nullptr && at >= lo && at < lo + bytes_used()) {
      // An item lives in this block, which is about to move: insert copies instead.
      std::vector<std::string> copies(items.begin(), items.end());
      std::vector<std::string_view> views(copies.begin(), copies.end());
      return Insert(pos, views);
    }
  }
  size_t bytes = 0;
  for (auto s : items) bytes += EncodedBytes(s);
  Splice(pos, 0, bytes, static_cast<int64_t>(items.size()));
  char* p = block_ + pos;
  for (auto s : items) {
    p = PutVarint(p, s.size());
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
}

void PackedStrings::Erase(size_t pos, size_t n) {
  size_t end = pos;
  for (size_t i = 0; i < n; ++i) At(end, &end);
  Splice(pos, end - pos, 0, -static_cast<int64_t>(n));
}

void PackedStrings::Replace(size_t pos, std::string_view value) {
  size_t end;
  At(pos, &end);
  std::string copy;
  auto at = reinterpret_cast<uintptr_t>(value.data());
  auto lo = reinterpret_cast<uintptr_t>(block_);
  if (block_ != nullptr && at >= lo && at < lo + bytes_used()) {
    copy.assign(value);  // the value lives in this block, which is about to move
    value = copy;
  }
  Splice(pos, end - pos, EncodedBytes(value), 0);
  char* p = PutVarint(block_ + pos, value.size());
  std::memcpy(p, value.data(), value.size());
}

void PackedStrings::Clear() {
  std::free(block_);
  block_ = nullptr;
}

}  // namespace strongbox::state
