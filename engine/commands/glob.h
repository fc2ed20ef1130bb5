// Redis's glob matching (stringmatchlen) for KEYS, SCAN MATCH and any later pattern user, in
// O(pattern * text) time: a client's pattern can never make matching explode.
#pragma once

#include <string_view>

namespace strongbox::engine {

// Redis 7.0's semantics, quirks included: * ? [abc] [^a] [a-z] (reversed ranges allowed, an
// unterminated [ closes at the pattern's end, an escaped byte inside [] matches
// case-sensitively), backslash escapes; an empty text matches only an empty pattern; a pattern
// with more than kGlobStarNestingMax non-trailing * groups matches nothing (Redis's recursion
// bound).
inline constexpr int kGlobStarNestingMax = 1000;
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace strongbox::engine
