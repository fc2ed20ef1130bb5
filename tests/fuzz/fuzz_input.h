// Reads a fuzz input front to back as bytes; past its end every read yields zeros/empty, so a
// target never has to check the length.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strongbox::fuzz {

class FuzzInput {
 public:
  explicit FuzzInput(std::string_view bytes) : in_(bytes) {}
  bool empty() const { return in_.empty(); }
  uint8_t Byte() {
    if (in_.empty()) return 0;
    auto b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return b;
  }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{Byte()} << (8 * i);
    return v;
  }
  std::string_view Bytes(size_t n) {
    n = std::min(n, in_.size());
    std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }
  std::string_view Rest() { return Bytes(in_.size()); }

 private:
  std::string_view in_;
};

}  // namespace strongbox::fuzz
