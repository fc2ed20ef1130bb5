// Redis 7.0's HyperLogLog string layout, bit for bit, so an HLL dumped by Redis counts the same
// here and back: the 16-byte "HYLL" header (encoding, cached cardinality), the sparse encoding
// (ZERO / XZERO / VAL opcodes) promoted to the dense one (16384 6-bit registers) past
// kSparseBytesMax, MurmurHash64A with Redis's seed, and Ertl's improved estimator.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strongbox::engine::hll {

inline constexpr int kRegisters = 16384;  // 2^14
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kDenseBytes = kHeaderBytes + (kRegisters * 6 + 7) / 8;
// Redis's hll-sparse-max-bytes default: a sparse HLL that would grow past it becomes dense.
inline constexpr size_t kSparseBytesMax = 3000;

using Registers = std::array<uint8_t, kRegisters>;

// An empty HLL as PFADD creates it: sparse, every register zero, cardinality cache 0.
std::string NewSparse();
// Redis's isHLLObjectOrReply: the magic, a known encoding, and the dense size when dense.
bool LooksValid(std::string_view hll);
// Adds one element: 1 when a register grew, 0 when not, -1 when the sparse form is corrupt.
int Add(std::string& hll, std::string_view element);
// Raises register `index` to `count` (no-op when not higher), in either encoding; 1 when
// changed, -1 when the sparse form is corrupt.
int SetRegister(std::string& hll, int index, uint8_t count);
// Rewrites a sparse HLL as dense (keeping the header); false when it is corrupt.
bool ToDense(std::string& hll);
bool IsDense(std::string_view hll);
// max[i] = max(max[i], register i of `hll`); false when corrupt.
bool MergeInto(std::string_view hll, Registers& max);
// The cached cardinality when valid, else the estimate; nullopt when corrupt.
std::optional<uint64_t> Count(std::string_view hll);
uint64_t Estimate(const Registers& registers);
// Marks the cached cardinality stale (Redis sets the top bit of its last byte).
void InvalidateCache(std::string& hll);
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

}  // namespace strongbox::engine::hll
