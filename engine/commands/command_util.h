// Helpers every handler uses: argument parsing with Redis's error texts, and Apply(), the one
// way a handler changes state (emit the effect, then apply it through the shared ApplyOp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "common/state/state.h"
#include "common/util/ascii.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";

std::optional<int64_t> ParseInt(std::string_view s);
// Redis's limits on a float argument's text: getDoubleFromObject has none (a bulk is at most
// 512 MB), string2ld refuses MAX_LONG_DOUBLE_CHARS (5 KiB) and more.
inline constexpr size_t kParseDoubleCharsMax = size_t{512} * 1024 * 1024 + 1;
inline constexpr size_t kParseLongDoubleCharsMax = 5 * 1024;
// Accepts inf/-inf; rejects nan and values that overflow or underflow to zero (as Redis).
std::optional<double> ParseDouble(std::string_view s);
// INCRBYFLOAT arithmetic is done in long double, like Redis, so results print the same.
std::optional<long double> ParseLongDouble(std::string_view s);
// Redis's getRangeLongFromObjectOrReply: an integer in [min, max], else the error is replied.
std::optional<int64_t> ParseIntInRange(CommandContext& ctx, std::string_view arg, int64_t min,
                                       int64_t max);

// HRANDFIELD/SRANDMEMBER/ZRANDMEMBER counts, as Redis 7.0 bounds them: any integer but
// LLONG_MIN, and within +-LLONG_MAX/2 when each pick is a pair (WITHVALUES/WITHSCORES).
// On failure the error is replied and nullopt returned.
std::optional<int64_t> ParseRandomCount(CommandContext& ctx, std::string_view arg);
bool RandomPairsCountOk(CommandContext& ctx, int64_t count);
// A negative count repeats picks: Redis streams |count| of them and grows without bound; we
// refuse more than this many (the reply is built in memory before it is released).
inline constexpr int64_t kRandomRepeatCountMax = int64_t{1} << 20;
bool RandomRepeatCountOk(CommandContext& ctx, int64_t count);

// Redis's proto-max-bulk-len: no string may grow past it (SETRANGE, APPEND).
inline constexpr int64_t kStringBytesMax = int64_t{512} * 1024 * 1024;
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
// Redis's checkStringLength: size + append must stay within kStringBytesMax (both >= 0).
inline bool StringLengthOk(int64_t size, int64_t append) {
  return append <= kStringBytesMax && size <= kStringBytesMax - append;
}

// LMPOP/ZMPOP and their blocking forms from argv[numkeys_index]: numkeys key [key ...]
// first_side|second_side [COUNT n], with Redis 7.0's error texts (replied; nullopt returned).
struct MpopArgs {
  std::span<const std::string_view> keys;
  bool first = true;  // the side named first_side (LEFT, MIN) was given
  int64_t count = 1;
};
std::optional<MpopArgs> ParseMpopArgs(CommandContext& ctx, size_t numkeys_index,
                                      std::string_view first_side, std::string_view second_side);

// A blocking command's timeout in seconds, as Redis 7.0 reads it: on success *deadline_ms is
// the absolute deadline (0 = wait forever); otherwise the error is replied and false returned.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms);
std::string ToLower(std::string_view s);
std::string IntToString(int64_t v);
// Redis's INCRBYFLOAT/HINCRBYFLOAT formatting (%.17Lf with trailing zeros removed).
std::string FormatLongDouble(long double v);

// Emits the effect in the client's current database and applies it to the state. A failure to
// apply an effect the handler just built is a bug: the process stops (see apply.h).
void Apply(CommandContext& ctx, std::span<const std::string_view> argv);
void Apply(CommandContext& ctx, std::initializer_list<std::string_view> argv);

inline state::Db& CurrentDb(CommandContext& ctx) { return ctx.state.db(ctx.client.db); }

// A collection whose expiry passed but that is still in the map must not receive new elements:
// drop it first (logged as DEL), so the write behaves as on a missing key.
void DropIfExpired(CommandContext& ctx, std::string_view key);

// HDEL / SREM / ZREM: removes the members named from argv[2] on that the collection holds
// (`contains`), each once, as one effect `op key member...`, and replies how many went.
void RemoveMembers(CommandContext& ctx, std::string_view op,
                   absl::FunctionRef<bool(std::string_view)> contains);

// Looks a key up for reading; on a type mismatch writes WRONGTYPE and returns false.
// `*entry` is nullptr when the key is absent (or expired). Inside a read-only command it counts
// as a keyspace hit or miss, and a miss raises the `keymiss` notification (Redis's lookupKeyRead).
bool LookupTyped(CommandContext& ctx, std::string_view key, state::ValueType type,
                 state::Entry** entry);
// A read of any type by any command (Redis's lookupKeyRead): always a hit or a miss, and a miss
// raises `keymiss`. nullptr when absent or expired.
state::Entry* LookupRead(CommandContext& ctx, std::string_view key);

}  // namespace strongbox::engine
