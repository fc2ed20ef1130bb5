// The glob matcher against a line-by-line port of Redis 7.0's recursive stringmatchlen (with its
// skipLongerMatches and nesting bound) on random patterns and texts, Redis's edge cases, and
// patterns that made the recursive matcher exponential.
#include "engine/commands/glob.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <random>
#include <string>

namespace strongbox::engine::testing {
namespace {

// Redis's util.c, kept as close to the C as possible; it reads past patternLen into the
// terminating NUL exactly as Redis reads an sds, so callers pass NUL-terminated copies.
int RefImpl(const char* pattern, int patternLen, const char* string, int stringLen, int nocase,
            int* skipLongerMatches, int nesting) {
  if (nesting > 1000) return 0;
  while (patternLen && stringLen) {
    switch (pattern[0]) {
      case '*':
        while (patternLen && pattern[1] == '*') {
          pattern++;
          patternLen--;
        }
        if (patternLen == 1) return 1;
        while (stringLen) {
          if (RefImpl(pattern + 1, patternLen - 1, string, stringLen, nocase, skipLongerMatches,
                      nesting + 1))
            return 1;
          if (*skipLongerMatches) return 0;
          string++;
          stringLen--;
        }
        *skipLongerMatches = 1;
        return 0;
      case '?':
        string++;
        stringLen--;
        break;
      case '[': {
        int neg, match;
        pattern++;
        patternLen--;
        neg = pattern[0] == '^';
        if (neg) {
          pattern++;
          patternLen--;
        }
        match = 0;
        while (1) {
          if (pattern[0] == '\\' && patternLen >= 2) {
            pattern++;
            patternLen--;
            if (pattern[0] == string[0]) match = 1;
          } else if (pattern[0] == ']') {
            break;
          } else if (patternLen == 0) {
            pattern--;
            patternLen++;
            break;
          } else if (patternLen >= 3 && pattern[1] == '-') {
            int start = pattern[0];
            int end = pattern[2];
            int c = string[0];
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = tolower(start);
              end = tolower(end);
              c = tolower(c);
            }
            pattern += 2;
            patternLen -= 2;
            if (c >= start && c <= end) match = 1;
          } else {
            if (!nocase) {
              if (pattern[0] == string[0]) match = 1;
            } else {
              if (tolower((int)pattern[0]) == tolower((int)string[0])) match = 1;
            }
          }
          pattern++;
          patternLen--;
        }
        if (neg) match = !match;
        if (!match) return 0;
        string++;
        stringLen--;
        break;
      }
      case '\\':
        if (patternLen >= 2) {
          pattern++;
          patternLen--;
        }
        [[fallthrough]];
      default:
        if (!nocase) {
          if (pattern[0] != string[0]) return 0;
        } else {
          if (tolower((int)pattern[0]) != tolower((int)string[0])) return 0;
        }
        string++;
        stringLen--;
        break;
    }
    pattern++;
    patternLen--;
    if (stringLen == 0) {
      while (*pattern == '*') {
        pattern++;
        patternLen--;
      }
      break;
    }
  }
  if (patternLen == 0 && stringLen == 0) return 1;
  return 0;
}

bool Reference(const std::string& pattern, const std::string& text, bool nocase) {
  int skip = 0;
  return RefImpl(pattern.c_str(), static_cast<int>(pattern.size()), text.c_str(),
                 static_cast<int>(text.size()), nocase, &skip, 0) == 1;
}

TEST_CASE("GlobMatch agrees with Redis's stringmatchlen on random patterns", "[glob]") {
  std::mt19937 rng(20261130);
  const std::string pattern_bytes = "ab*?[]^-\\A*\x80z";
  const std::string text_bytes = "abA-]^\\*?\x80z";
  auto random_string = [&rng](const std::string& alphabet, size_t max_len) {
    std::string out(std::uniform_int_distribution<size_t>(0, max_len)(rng), ' ');
    for (char& c : out)
      c = alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    return out;
  };
  for (int i = 0; i < 200000; ++i) {
    std::string pattern = random_string(pattern_bytes, 9);
    std::string text = random_string(text_bytes, 8);
    bool nocase = (i & 1) != 0;
    INFO("pattern '" << pattern << "' text '" << text << "' nocase " << nocase);
    REQUIRE(GlobMatch(pattern, text, nocase) == Reference(pattern, text, nocase));
  }
}

TEST_CASE("GlobMatch keeps Redis's edge cases", "[glob]") {
  CHECK(GlobMatch("", ""));
  CHECK_FALSE(GlobMatch("*", ""));  // stringmatchlen never matches an empty text to a pattern
  CHECK(GlobMatch("*", "x"));
  CHECK(GlobMatch("[abc", "b"));  // an unterminated class closes at the pattern's end
  CHECK_FALSE(GlobMatch("[", "["));
  CHECK(GlobMatch("[^", "x"));
  CHECK(GlobMatch("[z-a]", "m"));  // reversed range
  CHECK(GlobMatch("[a-]x", "]"));  // '-' before ']' is a range up to ']'... and the class goes on
  CHECK(GlobMatch("\\*", "*"));
  CHECK_FALSE(GlobMatch("\\*", "x"));
  CHECK(GlobMatch("a\\", "a\\"));  // a trailing backslash is itself
  CHECK(GlobMatch("H?LLO", "hello", true));
  CHECK_FALSE(GlobMatch("[\\H]", "h", true));  // an escape inside [] does not fold case
  CHECK(GlobMatch(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST_CASE("GlobMatch applies Redis's bound of 1000 nested stars", "[glob]") {
  std::string text(1200, 'a');
  std::string pattern;
  for (int i = 0; i < 1000; ++i) pattern += "a*";
  CHECK(GlobMatch(pattern + "a", text));
  CHECK(GlobMatch(pattern + "a", text) == Reference(pattern + "a", text, false));
  CHECK_FALSE(GlobMatch(pattern + "a*a", text));
  CHECK(GlobMatch(pattern + "a*a", text) == Reference(pattern + "a*a", text, false));
  CHECK(GlobMatch(pattern + "a***", text));  // trailing stars do not nest
}

TEST_CASE("GlobMatch is fast on patterns that explode a naive matcher", "[glob]") {
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "a*";
  pattern += "b";
  const std::string text(40, 'a');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) REQUIRE_FALSE(GlobMatch(pattern, text));
  // The long pattern and text: O(n*m) = 4e8 steps would be slow; the bound is ~1e7 here.
  std::string long_pattern;
  for (int i = 0; i < 900; ++i) long_pattern += "*a";
  long_pattern += "*b";
  REQUIRE_FALSE(GlobMatch(long_pattern, std::string(2000, 'a')));
  REQUIRE_FALSE(GlobMatch("*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*!", std::string(5000, 'q')));
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
}

}  // namespace
}  // namespace strongbox::engine::testing
