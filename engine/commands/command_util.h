// Helpers every handler uses: argument parsing with Redis's error texts, and Apply(), the one
// way a handler changes state (emit the effect, then apply it through the shared ApplyOp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/state/state.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";

std::optional<int64_t> ParseInt(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);  // accepts inf/-inf, rejects nan
// INCRBYFLOAT arithmetic is done in long double, like Redis, so results print the same.
std::optional<long double> ParseLongDouble(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
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

// Looks a key up for reading; on a type mismatch writes WRONGTYPE and returns false.
// `*entry` is nullptr when the key is absent (or expired).
bool LookupTyped(CommandContext& ctx, std::string_view key, state::ValueType type,
                 state::Entry** entry);

}  // namespace strongbox::engine
