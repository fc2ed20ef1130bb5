// PackedStrings: a sequence of byte strings in one heap allocation, the encoding small hashes
// and sorted sets use (the role Redis's listpack plays). One malloc'd block holds
//   [u32 bytes used][u32 string count] then, per string, a varint length and the bytes.
// Every change reallocates to the exact size: small collections trade a copy of a few hundred
// bytes per write for ~100 bytes less memory per key than node-based containers.
// Positions are byte offsets into the block, valid until the next change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace strongbox::state {

class PackedStrings {
 public:
  PackedStrings() = default;
  ~PackedStrings();
  PackedStrings(const PackedStrings& other);
  PackedStrings& operator=(const PackedStrings&) = delete;
  PackedStrings(PackedStrings&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
  PackedStrings& operator=(PackedStrings&& other) noexcept;

  size_t count() const;       // strings held
  size_t bytes_used() const;  // size of the block (0 when empty)

  size_t begin() const { return kHeaderBytes; }
  size_t end() const { return block_ == nullptr ? kHeaderBytes : bytes_used(); }
  // The string at `pos`; *next receives the position after it.
  std::string_view At(size_t pos, size_t* next) const;
  // Inserts `items` before `pos` (end() appends).
  void Insert(size_t pos, std::span<const std::string_view> items);
  // Removes `n` consecutive strings starting at `pos`.
  void Erase(size_t pos, size_t n);
  // Replaces the string at `pos` with `value`.
  void Replace(size_t pos, std::string_view value);
  void Clear();

 private:
  static constexpr size_t kHeaderBytes = 4;

 public:
  static constexpr size_t kMaxBytes = 65535;

 private:
  void Splice(size_t pos, size_t remove_bytes, size_t insert_bytes, int64_t count_delta);
  char* block_ = nullptr;
};

}  // namespace strongbox::state
