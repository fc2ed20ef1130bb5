// Glob matching without recursion: each * remembers where it resumes, and a mismatch retries
// from the latest * one text byte later (the classic two-pointer backtrack). Every token other
// than * consumes exactly one byte, so the latest * alone decides, and the time is
// O(pattern * text) whatever the pattern.
#include "engine/commands/glob.h"

#include <cstddef>
#include <utility>

namespace strongbox::engine {
namespace {

// Redis compares bytes as (signed) char, through glibc's C-locale tolower when nocase: only
// ASCII letters fold, and a negative char comes back as its unsigned value (tolower(-128) is
// 128), which matters inside [] ranges.
int Byte(char c) { return static_cast<signed char>(c); }
int Lower(int c) {
  if (c < 0) return c + 256;
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// Redis reads the pattern as a NUL-terminated sds: a read past its end sees '\0'.
char At(std::string_view p, size_t i) { return i < p.size() ? p[i] : '\0'; }

// Matches the one-byte token at p[i] (not a '*') against c; *next is where the token ends.
// The parse mirrors stringmatchlen's, so it never depends on c.
bool MatchToken(std::string_view p, size_t i, char c, bool nocase, size_t* next) {
  const size_t m = p.size();
  switch (p[i]) {
    case '?':
      *next = i + 1;
      return true;
    case '[': {
      ++i;
      const bool negate = At(p, i) == '^';
      if (negate) ++i;
      bool match = false;
      while (true) {
        if (At(p, i) == '\\' && m - i >= 2) {
          ++i;
          if (p[i] == c) match = true;  // Redis: an escaped byte in [] never folds case
        } else if (At(p, i) == ']') {
          break;
        } else if (i >= m) {
          --i;  // unterminated: the class ends with the pattern
          break;
        } else if (m - i >= 3 && p[i + 1] == '-') {
          int lo = Byte(p[i]), hi = Byte(p[i + 2]), b = Byte(c);
          if (lo > hi) std::swap(lo, hi);
          if (nocase) {
            lo = Lower(lo);
            hi = Lower(hi);
            b = Lower(b);
          }
          i += 2;
          if (b >= lo && b <= hi) match = true;
        } else if (nocase ? Lower(Byte(p[i])) == Lower(Byte(c)) : p[i] == c) {
          match = true;
        }
        ++i;
      }
      *next = i + 1;
      return negate ? !match : match;
    }
    case '\\':
      if (m - i >= 2) ++i;
      [[fallthrough]];
    default:
      *next = i + 1;
      return nocase ? Lower(Byte(p[i])) == Lower(Byte(c)) : p[i] == c;
  }
}

size_t SkipStars(std::string_view p, size_t i) {
  while (i < p.size() && p[i] == '*') ++i;
  return i;
}

// Redis recurses once per * group that is followed by more pattern, and gives up (no match)
// past kGlobStarNestingMax levels. Every match passes through all of those groups, so
// counting them decides the same.
bool WithinNesting(std::string_view p) {
  int groups = 0;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '*') {
      i = SkipStars(p, i);
      if (i < p.size() && ++groups > kGlobStarNestingMax) return false;
      continue;
    }
    size_t next;
    MatchToken(p, i, '\0', false, &next);
    i = next;
  }
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  // stringmatchlen never enters its loop for an empty text: only an empty pattern matches.
  if (text.empty()) return pattern.empty();
  if (!WithinNesting(pattern)) return false;
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t p = 0, s = 0;
  size_t star_p = kNone, star_s = 0;  // the pattern after the latest * and where it resumes
  while (s < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      p = SkipStars(pattern, p);
      if (p == pattern.size()) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    size_t next;
    if (p < pattern.size() && MatchToken(pattern, p, text[s], nocase, &next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == kNone) return false;
    p = star_p;
    s = ++star_s;
  }
  return SkipStars(pattern, p) == pattern.size();
}

}  // namespace strongbox::engine
