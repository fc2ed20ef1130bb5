#include "engine/commands/hyperloglog.h"

#include <cmath>
#include <cstring>

namespace strongbox::engine::hll {
namespace {

constexpr int kPrecision = 14;
constexpr int kHashBits = 64 - kPrecision;  // Redis's HLL_Q
constexpr uint8_t kEncodingDense = 0, kEncodingSparse = 1;
constexpr size_t kEncodingAt = 4, kCacheAt = 8;
constexpr int kRegisterMax = 63;
constexpr int kSparseValMax = 32, kSparseValRunMax = 4, kSparseZeroRunMax = 64;
constexpr int kSparseXzeroRunMax = 16384;
constexpr uint64_t kSeed = 0xadc83b19ULL;

// --- sparse opcodes: 00xxxxxx ZERO run, 01xxxxxx yyyyyyyy XZERO run, 1vvvvvxx VAL run ---

uint8_t At(std::string_view s, size_t i) { return i < s.size() ? static_cast<uint8_t>(s[i]) : 0; }
bool IsZero(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXzero(uint8_t op) { return (op & 0xc0) == 0x40; }
int ZeroRun(uint8_t op) { return (op & 0x3f) + 1; }
int XzeroRun(uint8_t op, uint8_t next) { return (((op & 0x3f) << 8) | next) + 1; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValRun(uint8_t op) { return (op & 0x3) + 1; }
char ValOp(int value, int run) { return static_cast<char>(0x80 | ((value - 1) << 2) | (run - 1)); }

// Appends the shortest zero-run opcode for `run` registers.
void PutZeroRun(std::string& seq, int run) {
  if (run > kSparseZeroRunMax) {
    seq.push_back(static_cast<char>(0x40 | ((run - 1) >> 8)));
    seq.push_back(static_cast<char>((run - 1) & 0xff));
  } else {
    seq.push_back(static_cast<char>(run - 1));
  }
}

// Calls visit(first_register, run, value) for each opcode (value 0 for zero runs). Returns the
// number of registers covered, or -1 when a run passes the last register (Debian's 7.0.15 has
// the CVE-2025-32023 checks: any such run is corruption, even one starting at the end).
template <typename Visit>
int ForEachRun(std::string_view hll, Visit visit) {
  int index = 0;
  for (size_t p = kHeaderBytes; p < hll.size();) {
    uint8_t op = At(hll, p);
    int run, value = 0;
    if (IsZero(op)) {
      run = ZeroRun(op), p += 1;
    } else if (IsXzero(op)) {
      run = XzeroRun(op, At(hll, p + 1)), p += 2;
    } else {
      run = ValRun(op), value = ValValue(op), p += 1;
    }
    if (index + run > kRegisters) return -1;
    visit(index, run, value);
    index += run;
  }
  return index;
}

// --- dense registers: 6 bits each, least significant bits first ---

uint8_t* DenseRegs(std::string& hll) {
  return reinterpret_cast<uint8_t*>(hll.data()) + kHeaderBytes;
}
constexpr size_t kDenseRegBytes = kDenseBytes - kHeaderBytes;

int DenseGet(const uint8_t* regs, int index) {
  size_t byte = static_cast<size_t>(index) * 6 / 8;
  int shift = index * 6 & 7;
  unsigned b0 = regs[byte], b1 = byte + 1 < kDenseRegBytes ? regs[byte + 1] : 0;
  return static_cast<int>(((b0 >> shift) | (b1 << (8 - shift))) & kRegisterMax);
}

void DenseSet(uint8_t* regs, int index, unsigned value) {
  size_t byte = static_cast<size_t>(index) * 6 / 8;
  int shift = index * 6 & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << shift)) | (value << shift));
  if (byte + 1 < kDenseRegBytes) {
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> (8 - shift))) |
                                          (value >> (8 - shift)));
  }
}

// The register an element lands in and the length of its hash's "0...01" run (1..51).
void Pattern(std::string_view element, int* index, uint8_t* count) {
  uint64_t hash = MurmurHash64A(element, kSeed);
  *index = static_cast<int>(hash & (kRegisters - 1));
  hash >>= kPrecision;
  hash |= uint64_t{1} << kHashBits;  // the loop below ends by bit kHashBits
  uint8_t n = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++n;
  *count = n;
}

// Merges adjacent VAL opcodes of equal value, scanning up to five opcodes from `from`, as
// Redis does after each sparse update (the bytes must come out as Redis's).
void MergeAdjacentVals(std::string& hll, size_t from) {
  size_t p = from;
  for (int scan = 5; p < hll.size() && scan-- > 0;) {
    uint8_t op = At(hll, p);
    if (IsXzero(op)) {
      p += 2;
      continue;
    }
    if (IsZero(op)) {
      p += 1;
      continue;
    }
    uint8_t next = At(hll, p + 1);
    if (p + 1 < hll.size() && !IsZero(next) && !IsXzero(next) && ValValue(op) == ValValue(next) &&
        ValRun(op) + ValRun(next) <= kSparseValRunMax) {
      hll[p + 1] = ValOp(ValValue(op), ValRun(op) + ValRun(next));
      hll.erase(p, 1);
      continue;  // the merged opcode may merge with the one on its right
    }
    p += 1;
  }
}

int Promote(std::string& hll, int index, uint8_t count) {
  if (!ToDense(hll)) return -1;
  DenseSet(DenseRegs(hll), index, count);
  return 1;
}

// The sparse update: find the opcode covering `index`, split it around a VAL of `count`.
int SparseSet(std::string& hll, int index, uint8_t count) {
  if (count > kSparseValMax) return Promote(hll, index, count);
  size_t p = kHeaderBytes, prev = 0;
  bool has_prev = false;
  int first = 0, span = 0;
  size_t op_bytes = 1;
  while (p < hll.size()) {
    uint8_t op = At(hll, p);
    op_bytes = IsXzero(op) ? 2 : 1;
    span = IsZero(op) ? ZeroRun(op) : IsXzero(op) ? XzeroRun(op, At(hll, p + 1)) : ValRun(op);
    if (index <= first + span - 1) break;
    prev = p, has_prev = true;
    p += op_bytes;
    first += span;
  }
  if (span == 0 || p >= hll.size()) return -1;
  uint8_t op = At(hll, p);
  bool is_val = !IsZero(op) && !IsXzero(op);
  if (is_val && ValValue(op) >= count) return 0;
  std::string seq;
  if ((is_val || IsZero(op)) && span == 1) {
    seq.push_back(ValOp(count, 1));
  } else {
    int last = first + span - 1;
    if (is_val) {
      if (index != first) seq.push_back(ValOp(ValValue(op), index - first));
      seq.push_back(ValOp(count, 1));
      if (index != last) seq.push_back(ValOp(ValValue(op), last - index));
    } else {
      if (index != first) PutZeroRun(seq, index - first);
      seq.push_back(ValOp(count, 1));
      if (index != last) PutZeroRun(seq, last - index);
    }
    if (seq.size() > op_bytes && hll.size() + seq.size() - op_bytes > kSparseBytesMax) {
      return Promote(hll, index, count);
    }
  }
  hll.replace(p, op_bytes, seq);
  MergeAdjacentVals(hll, has_prev ? prev : kHeaderBytes);
  InvalidateCache(hll);
  return 1;
}

// Redis's hllSigma and hllTau (Ertl, arXiv:1702.01284), evaluated in the same order.
double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1, z = x, z_prev;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0, z = 1 - x, z_prev;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

uint64_t EstimateFromHistogram(const std::array<int, 64>& histo) {
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  double m = kRegisters;
  double z = m * Tau((m - histo[kHashBits + 1]) / m);
  for (int j = kHashBits; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (data.size() * m);
  size_t whole = data.size() & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t k;
    std::memcpy(&k, data.data() + i, 8);  // little-endian, as Redis reads it on x86 and arm
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t tail = data.size() & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= uint64_t{static_cast<uint8_t>(data[whole + i])} << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

std::string NewSparse() {
  std::string hll(kHeaderBytes, '\0');
  std::memcpy(hll.data(), "HYLL", 4);
  hll[kEncodingAt] = static_cast<char>(kEncodingSparse);
  for (int left = kRegisters; left > 0; left -= kSparseXzeroRunMax) {
    int run = left < kSparseXzeroRunMax ? left : kSparseXzeroRunMax;
    hll.push_back(static_cast<char>(0x40 | ((run - 1) >> 8)));
    hll.push_back(static_cast<char>((run - 1) & 0xff));
  }
  return hll;
}

bool LooksValid(std::string_view hll) {
  if (hll.size() < kHeaderBytes || hll.substr(0, 4) != "HYLL") return false;
  uint8_t encoding = At(hll, kEncodingAt);
  if (encoding > kEncodingSparse) return false;
  return encoding != kEncodingDense || hll.size() == kDenseBytes;
}

bool IsDense(std::string_view hll) { return At(hll, kEncodingAt) == kEncodingDense; }

void InvalidateCache(std::string& hll) { hll[kCacheAt + 7] = static_cast<char>(hll[15] | 0x80); }

int SetRegister(std::string& hll, int index, uint8_t count) {
  if (!IsDense(hll)) return SparseSet(hll, index, count);
  uint8_t* regs = DenseRegs(hll);
  if (count <= DenseGet(regs, index)) return 0;
  DenseSet(regs, index, count);
  return 1;
}

int Add(std::string& hll, std::string_view element) {
  int index;
  uint8_t count;
  Pattern(element, &index, &count);
  return SetRegister(hll, index, count);
}

bool ToDense(std::string& hll) {
  if (IsDense(hll)) return true;
  std::string dense(kDenseBytes, '\0');
  std::memcpy(dense.data(), hll.data(), kHeaderBytes);  // magic, padding and cache, as Redis
  dense[kEncodingAt] = static_cast<char>(kEncodingDense);
  uint8_t* regs = DenseRegs(dense);
  int covered = ForEachRun(hll, [&](int first, int run, int value) {
    for (int i = first; i < first + run && value != 0; ++i) DenseSet(regs, i, value);
  });
  if (covered != kRegisters) return false;
  hll = std::move(dense);
  return true;
}

bool MergeInto(std::string_view hll, Registers& max) {
  if (IsDense(hll)) {
    auto* regs = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderBytes;
    for (int i = 0; i < kRegisters; ++i) {
      max[i] = std::max(max[i], static_cast<uint8_t>(DenseGet(regs, i)));
    }
    return true;
  }
  int covered = ForEachRun(hll, [&](int first, int run, int value) {
    for (int i = first; i < first + run; ++i) {
      max[i] = std::max(max[i], static_cast<uint8_t>(value));
    }
  });
  return covered == kRegisters;
}

uint64_t Estimate(const Registers& registers) {
  std::array<int, 64> histo{};
  for (uint8_t r : registers) ++histo[r & 63];
  return EstimateFromHistogram(histo);
}

std::optional<uint64_t> Count(std::string_view hll) {
  if ((At(hll, kCacheAt + 7) & 0x80) == 0) {
    uint64_t cached = 0;
    for (int i = 7; i >= 0; --i) cached = (cached << 8) | At(hll, kCacheAt + i);
    return cached;
  }
  std::array<int, 64> histo{};
  if (IsDense(hll)) {
    auto* regs = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderBytes;
    for (int i = 0; i < kRegisters; ++i) ++histo[DenseGet(regs, i)];
  } else {
    int covered = ForEachRun(hll, [&](int, int run, int value) { histo[value] += run; });
    if (covered != kRegisters) return std::nullopt;
  }
  return EstimateFromHistogram(histo);
}

}  // namespace strongbox::engine::hll
