// Bitmap commands on string values, as Redis 7.0's bitops.c: SETBIT GETBIT BITCOUNT BITPOS BITOP.
// Bit 0 is the most significant bit of byte 0. Writes are logged as SETRANGE byte patches (SETBIT)
// or SET/DEL of the result (BITOP), so replay never recomputes. BITFIELD is bitfield_commands.cc.
#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "engine/commands/bitmap_util.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

using state::ValueType;

// A readable string value: empty when the key is absent; false after WRONGTYPE.
bool ReadString(CommandContext& ctx, std::string_view key, std::string_view* value, bool* exists) {
  state::Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kString, &e)) return false;
  *exists = e != nullptr;
  *value = e ? *e->str() : std::string_view();
  return true;
}

void Setbit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx, ctx.argv[2], false, 0);
  if (!offset) return;
  auto bit = ParseInt(ctx.argv[3]);
  if (!bit || (*bit & ~int64_t{1}) != 0) {
    return ctx.reply.Error("ERR bit is not an integer or out of range");
  }
  std::string_view value;
  bool exists;
  if (!ReadString(ctx, ctx.argv[1], &value, &exists)) return;
  uint64_t byte_index = *offset >> 3;
  int shift = 7 - static_cast<int>(*offset & 7);
  uint8_t old_byte = byte_index < value.size() ? static_cast<uint8_t>(value[byte_index]) : 0;
  int old_bit = (old_byte >> shift) & 1;
  char new_byte = static_cast<char>((old_byte & ~(1u << shift)) | (*bit << shift));
  if (!exists) DropIfExpired(ctx, ctx.argv[1]);
  // Redis writes (and signals) even when the bit already had the value.
  std::string at = IntToString(static_cast<int64_t>(byte_index));
  Apply(ctx, {"SETRANGE", ctx.argv[1], at, std::string_view(&new_byte, 1)});
  ctx.reply.Integer(old_bit);
}

void Getbit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx, ctx.argv[2], false, 0);
  if (!offset) return;
  std::string_view value;
  bool exists;
  if (!ReadString(ctx, ctx.argv[1], &value, &exists)) return;
  uint64_t byte_index = *offset >> 3;
  if (byte_index >= value.size()) return ctx.reply.Integer(0);
  ctx.reply.Integer((static_cast<uint8_t>(value[byte_index]) >> (7 - (*offset & 7))) & 1);
}

// Reads the optional [start end [BYTE|BIT]] of BITCOUNT/BITPOS into a bit range over a string of
// `len` bytes, as Redis 7.0 normalises it. `first` = index of start; end optional for BITPOS.
struct BitRange {
  int64_t first_bit = 0, last_bit = -1;  // inclusive; empty when first > last
  bool end_given = false;
};

bool ParseBitRange(CommandContext& ctx, size_t first, size_t len, BitRange* range) {
  auto& argv = ctx.argv;
  auto start = ParseInt(argv[first]);
  if (!start) return ctx.reply.Error(kErrNotInteger), false;
  bool is_bit = false;
  if (argv.size() == first + 3) {
    if (EqualsIgnoreCase(argv[first + 2], "bit")) {
      is_bit = true;
    } else if (!EqualsIgnoreCase(argv[first + 2], "byte")) {
      return ctx.reply.Error(kErrSyntax), false;
    }
  }
  int64_t total = static_cast<int64_t>(len) * (is_bit ? 8 : 1);
  int64_t end = total - 1;
  if (argv.size() >= first + 2) {
    auto e = ParseInt(argv[first + 1]);
    if (!e) return ctx.reply.Error(kErrNotInteger), false;
    end = *e;
    range->end_given = true;
  }
  int64_t s = *start;
  if (s < 0) s = total + s;
  if (end < 0) end = total + end;
  s = std::max<int64_t>(s, 0);
  end = std::min(std::max<int64_t>(end, 0), total - 1);
  range->first_bit = is_bit ? s : s * 8;
  range->last_bit = is_bit ? end : end * 8 + 7;
  if (s > end) range->last_bit = range->first_bit - 1;
  return true;
}

void Bitcount(CommandContext& ctx) {
  std::string_view value;
  bool exists;
  // Redis 7.0 looks the key up before it reads the range: a missing key is 0 whatever follows.
  if (!ReadString(ctx, ctx.argv[1], &value, &exists)) return;
  if (!exists) return ctx.reply.Integer(0);
  size_t argc = ctx.argv.size();
  if (argc == 3 || argc > 5) return ctx.reply.Error(kErrSyntax);
  BitRange range{0, static_cast<int64_t>(value.size()) * 8 - 1};
  if (argc >= 4) {
    auto s = ParseInt(ctx.argv[2]), e = ParseInt(ctx.argv[3]);
    if (!s || !e) return ctx.reply.Error(kErrNotInteger);
    if (argc == 5 && !EqualsIgnoreCase(ctx.argv[4], "bit") &&
        !EqualsIgnoreCase(ctx.argv[4], "byte")) {
      return ctx.reply.Error(kErrSyntax);
    }
    // Both negative and start past end: 0 before any clamping (Redis's special case).
    if (*s < 0 && *e < 0 && *s > *e) return ctx.reply.Integer(0);
    if (!ParseBitRange(ctx, 2, value.size(), &range)) return;
  }
  ctx.reply.Integer(CountBits(value, range.first_bit, range.last_bit));
}

void Bitpos(CommandContext& ctx) {
  auto bit = ParseInt(ctx.argv[2]);
  if (!bit) return ctx.reply.Error(kErrNotInteger);
  if (*bit != 0 && *bit != 1) return ctx.reply.Error("ERR The bit argument must be 1 or 0.");
  std::string_view value;
  bool exists;
  if (!ReadString(ctx, ctx.argv[1], &value, &exists)) return;
  // A missing key is an endless run of zero bits.
  if (!exists) return ctx.reply.Integer(*bit ? -1 : 0);
  if (ctx.argv.size() > 6) return ctx.reply.Error(kErrSyntax);
  BitRange range{0, static_cast<int64_t>(value.size()) * 8 - 1};
  if (ctx.argv.size() >= 4 && !ParseBitRange(ctx, 3, value.size(), &range)) return;
  if (range.first_bit > range.last_bit) return ctx.reply.Integer(-1);
  int64_t pos = FindBit(value, range.first_bit, range.last_bit, *bit == 1);
  if (pos >= 0) return ctx.reply.Integer(pos);
  // Looking for a clear bit with no explicit end: the string continues with zeros to the right.
  ctx.reply.Integer(*bit == 0 && !range.end_given ? range.last_bit + 1 : -1);
}

enum class BitOp { kAnd, kOr, kXor, kNot };

void Bitop(CommandContext& ctx) {
  std::string_view name = ctx.argv[1];
  BitOp op;
  if (EqualsIgnoreCase(name, "and")) {
    op = BitOp::kAnd;
  } else if (EqualsIgnoreCase(name, "or")) {
    op = BitOp::kOr;
  } else if (EqualsIgnoreCase(name, "xor")) {
    op = BitOp::kXor;
  } else if (EqualsIgnoreCase(name, "not")) {
    op = BitOp::kNot;
  } else {
    return ctx.reply.Error(kErrSyntax);
  }
  if (op == BitOp::kNot && ctx.argv.size() != 4) {
    return ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");
  }
  std::vector<std::string_view> sources;
  size_t max_len = 0;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    std::string_view value;
    bool exists;
    if (!ReadString(ctx, ctx.argv[i], &value, &exists)) return;
    sources.push_back(value);
    max_len = std::max(max_len, value.size());
  }
  std::string result(max_len, '\0');
  for (size_t j = 0; j < max_len; ++j) {
    auto byte_of = [&](size_t i) -> uint8_t {
      return j < sources[i].size() ? static_cast<uint8_t>(sources[i][j]) : 0;
    };
    uint8_t out = byte_of(0);
    if (op == BitOp::kNot) out = static_cast<uint8_t>(~out);
    for (size_t i = 1; i < sources.size(); ++i) {
      if (op == BitOp::kAnd) out &= byte_of(i);
      if (op == BitOp::kOr) out |= byte_of(i);
      if (op == BitOp::kXor) out ^= byte_of(i);
    }
    result[j] = static_cast<char>(out);
  }
  std::string_view dest = ctx.argv[2];
  if (max_len > 0) {
    Apply(ctx, {"SET", dest, result});  // Redis's setKey: the old TTL goes
  } else if (CurrentDb(ctx).FindRaw(dest) != nullptr) {
    Apply(ctx, {"DEL", dest});
  }
  ctx.reply.Integer(static_cast<int64_t>(max_len));
}

}  // namespace

void RegisterBitmapCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"setbit", 4, kWrite | kDenyOom, 1, 1, 1, Setbit});
  r.Add({"getbit", 3, kReadonly | kFast, 1, 1, 1, Getbit});
  r.Add({"bitcount", -2, kReadonly, 1, 1, 1, Bitcount});
  r.Add({"bitpos", -3, kReadonly, 1, 1, 1, Bitpos});
  r.Add({"bitop", -4, kWrite | kDenyOom, 2, -1, 1, Bitop});
}

}  // namespace strongbox::engine
