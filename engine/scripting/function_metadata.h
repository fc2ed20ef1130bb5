// What FUNCTION LOAD learns from a library's text before Lua sees it (the "#!lua name=<lib>"
// line), the naming rule of libraries and functions, and the function flags with their Redis
// 7.0 names. No Lua here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strongbox::scripting {

// Function flags (redis.register_function's `flags`), in the order FUNCTION LIST reports them.
enum FunctionFlag : uint32_t {
  kFunctionNoWrites = 1u << 0,
  kFunctionAllowOom = 1u << 1,
  kFunctionAllowStale = 1u << 2,
  kFunctionNoCluster = 1u << 3,
  kFunctionAllowCrossSlotKeys = 1u << 4,
};
inline constexpr int kFunctionFlagCount = 5;
// The name of flag bit `bit` (0 <= bit < kFunctionFlagCount).
std::string_view FunctionFlagName(int bit);
// The flag named `name` (exact, lower case as Redis expects), or nullopt.
std::optional<uint32_t> ParseFunctionFlag(std::string_view name);

// Letters, digits and '_', at least one: the rule for library and function names.
bool ValidFunctionName(std::string_view name);

struct LibraryMetadata {
  std::string name;
  std::string_view code;  // the text after the shebang line, from its '\n' (line numbers kept)
};

// Parses "#!<engine> name=<lib>\n..." with Redis 7.0's checks; on failure returns false with
// the error text (without the "ERR " prefix) in *error.
bool ParseLibraryMetadata(std::string_view text, LibraryMetadata* md, std::string* error);

}  // namespace strongbox::scripting
