// BITFIELD and BITFIELD_RO, as Redis 7.0: GET/SET/INCRBY of i1..i64 / u1..u63 fields with
// OVERFLOW WRAP|SAT|FAIL. Each write is logged as a SETRANGE of the bytes it covers (at most 9),
// so replay copies bytes.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/commands/bitmap_util.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

// Unsigned field arithmetic needs 65 bits (a u63 plus a negative i64 increment).
__extension__ typedef __int128 Wide;

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrBy };

struct FieldCommand {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
};

// "i16", "u8": Redis's getBitfieldTypeFromArgument (the sign letter is case-sensitive).
bool ParseFieldType(CommandContext& ctx, std::string_view arg, bool* is_signed, int* bits) {
  std::optional<int64_t> n;
  if (!arg.empty() && (arg[0] == 'i' || arg[0] == 'u')) n = ParseInt(arg.substr(1));
  *is_signed = !arg.empty() && arg[0] == 'i';
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) {
    ctx.reply.Error(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
        "but i64 is.");
    return false;
  }
  *bits = static_cast<int>(*n);
  return true;
}

// Parses every subcommand before anything runs (an error anywhere means no effect at all).
bool ParseFieldCommands(CommandContext& ctx, std::vector<FieldCommand>* ops) {
  Overflow overflow = Overflow::kWrap;
  auto& argv = ctx.argv;
  for (size_t j = 2; j < argv.size(); ++j) {
    size_t rest = argv.size() - j - 1;
    FieldCommand f{};
    if (EqualsIgnoreCase(argv[j], "get") && rest >= 2) {
      f.op = FieldOp::kGet;
    } else if (EqualsIgnoreCase(argv[j], "set") && rest >= 3) {
      f.op = FieldOp::kSet;
    } else if (EqualsIgnoreCase(argv[j], "incrby") && rest >= 3) {
      f.op = FieldOp::kIncrBy;
    } else if (EqualsIgnoreCase(argv[j], "overflow") && rest >= 1) {
      std::string_view kind = argv[++j];
      if (EqualsIgnoreCase(kind, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (EqualsIgnoreCase(kind, "sat")) {
        overflow = Overflow::kSat;
      } else if (EqualsIgnoreCase(kind, "fail")) {
        overflow = Overflow::kFail;
      } else {
        return ctx.reply.Error("ERR Invalid OVERFLOW type specified"), false;
      }
      continue;
    } else {
      return ctx.reply.Error(kErrSyntax), false;
    }
    if (!ParseFieldType(ctx, argv[j + 1], &f.is_signed, &f.bits)) return false;
    auto offset = ParseBitOffset(ctx, argv[j + 2], true, f.bits);
    if (!offset) return false;
    f.offset = *offset;
    if (f.op != FieldOp::kGet) {
      auto v = ParseInt(argv[j + 3]);
      if (!v) return ctx.reply.Error(kErrNotInteger), false;
      f.value = *v;
      j += 3;
    } else {
      j += 2;
    }
    f.overflow = overflow;
    ops->push_back(f);
  }
  return true;
}

// Redis's overflow rules for `value + incr` in a field: returns whether it overflowed and, unless
// FAIL, sets *result to the wrapped or saturated value.
bool FitSigned(int64_t value, int64_t incr, int bits, Overflow how, int64_t* result) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  int64_t min = -max - 1;
  // Redis's limits are computed with wrap-around, and its replies follow from that: SET of a
  // value far below a narrow field's minimum (e.g. i53 to -2^63) counts as overflowing upwards.
  auto max_incr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  auto min_incr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  bool up =
      value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
  bool down = !up && (value < min || (bits != 64 && incr < min_incr) ||
                      (value < 0 && incr < 0 && incr < min_incr));
  if (!up && !down) {
    *result = static_cast<int64_t>(static_cast<uint64_t>(value) + static_cast<uint64_t>(incr));
    return false;
  }
  if (how == Overflow::kSat) *result = up ? max : min;
  if (how == Overflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *result = static_cast<int64_t>(c);
  }
  return true;
}

bool FitUnsigned(uint64_t value, int64_t incr, int bits, Overflow how, uint64_t* result) {
  Wide max = (Wide{1} << bits) - 1;
  Wide sum = static_cast<Wide>(value) + incr;
  if (sum >= 0 && sum <= max) {
    *result = static_cast<uint64_t>(sum);
    return false;
  }
  if (how == Overflow::kSat) *result = sum > max ? static_cast<uint64_t>(max) : 0;
  if (how == Overflow::kWrap) {
    *result = (value + static_cast<uint64_t>(incr)) & static_cast<uint64_t>(max);
  }
  return true;
}

int64_t SignExtend(uint64_t raw, int bits) {
  if (bits < 64 && (raw >> (bits - 1)) & 1) raw |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(raw);
}

// Runs one SET/INCRBY on the current value: replies, and logs the field's bytes unless FAIL.
void RunWrite(CommandContext& ctx, const FieldCommand& f) {
  std::string_view key = ctx.argv[1];
  std::string_view value = *CurrentDb(ctx).FindRaw(key)->str();
  uint64_t raw = GetBits(value, f.offset, f.bits);
  uint64_t stored;
  bool overflow;
  int64_t reply;
  if (f.is_signed) {
    int64_t old = SignExtend(raw, f.bits), next = 0;
    overflow = FitSigned(f.op == FieldOp::kSet ? f.value : old, f.op == FieldOp::kSet ? 0 : f.value,
                         f.bits, f.overflow, &next);
    stored = static_cast<uint64_t>(next);
    reply = f.op == FieldOp::kSet ? old : next;
  } else {
    uint64_t next = 0;
    overflow = FitUnsigned(f.op == FieldOp::kSet ? static_cast<uint64_t>(f.value) : raw,
                           f.op == FieldOp::kSet ? 0 : f.value, f.bits, f.overflow, &next);
    stored = next;
    reply = static_cast<int64_t>(f.op == FieldOp::kSet ? raw : next);
  }
  if (overflow && f.overflow == Overflow::kFail) return ctx.reply.Null();
  uint64_t first_byte = f.offset >> 3, last_byte = (f.offset + f.bits - 1) >> 3;
  std::string bytes(value.substr(first_byte, last_byte - first_byte + 1));
  SetBits(bytes.data(), f.offset - first_byte * 8, f.bits, stored);
  std::string at = IntToString(static_cast<int64_t>(first_byte));
  Apply(ctx, {"SETRANGE", key, at, bytes});
  ctx.reply.Integer(reply);
}

void BitfieldImpl(CommandContext& ctx, bool read_only) {
  std::vector<FieldCommand> ops;
  if (!ParseFieldCommands(ctx, &ops)) return;
  uint64_t end_byte = 0;  // one past the last byte a write reaches
  for (const auto& f : ops) {
    if (f.op != FieldOp::kGet) end_byte = std::max(end_byte, ((f.offset + f.bits - 1) >> 3) + 1);
  }
  if (end_byte > 0 && read_only) {
    return ctx.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
  }
  state::Entry* e;
  if (!LookupTyped(ctx, ctx.argv[1], state::ValueType::kString, &e)) return;
  // Redis lets a field end up to 63 bits past the largest offset; our strings stop at 512 MB.
  if (static_cast<int64_t>(end_byte) > kStringBytesMax) return ctx.reply.Error(kErrBitOffset);
  std::string_view key = ctx.argv[1];
  uint64_t size = e ? e->str()->size() : 0;
  if (end_byte > size) {
    // Redis grows the string to the farthest write first, even when every write then FAILs.
    if (e == nullptr) DropIfExpired(ctx, key);
    std::string at = IntToString(static_cast<int64_t>(end_byte - 1));
    Apply(ctx, {"SETRANGE", key, at, std::string_view("\0", 1)});
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(ops.size()));
  for (const auto& f : ops) {
    if (f.op != FieldOp::kGet) {
      RunWrite(ctx, f);
      continue;
    }
    const state::Entry* cur = CurrentDb(ctx).Find(key, ctx.now_ms);
    uint64_t raw = GetBits(cur ? *cur->str() : std::string_view(), f.offset, f.bits);
    ctx.reply.Integer(f.is_signed ? SignExtend(raw, f.bits) : static_cast<int64_t>(raw));
  }
}

void Bitfield(CommandContext& ctx) { BitfieldImpl(ctx, false); }
void BitfieldRo(CommandContext& ctx) { BitfieldImpl(ctx, true); }

}  // namespace

void RegisterBitfieldCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"bitfield", -2, kWrite | kDenyOom, 1, 1, 1, Bitfield});
  r.Add({"bitfield_ro", -2, kReadonly | kFast, 1, 1, 1, BitfieldRo});
}

}  // namespace strongbox::engine
