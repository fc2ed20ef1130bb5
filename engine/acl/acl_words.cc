// Splitting a selector's inside into words, with Redis 7.0's quoting rules (its sdssplitargs).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/ascii.h"
#include "engine/acl/acl_text.h"

namespace strongbox::engine::acl {
namespace {

bool IsBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }  // C's isspace
bool EndsWord(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = AsciiToLower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The escape after a backslash inside "...": text[i] is the character after the backslash;
// returns the index after the escape.
size_t ReadEscape(std::string_view text, size_t i, std::string& word) {
  if (text[i] == 'x' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
      HexValue(text[i + 2]) >= 0) {
    word += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
    return i + 3;
  }
  static constexpr std::string_view kFrom = "nrtba", kTo = "\n\r\t\b\a";
  size_t escape = kFrom.find(text[i]);
  word += escape == std::string_view::npos ? text[i] : kTo[escape];
  return i + 1;
}

// A quoted part of a word, from text[i] (just after the opening quote) through the closing
// quote; false if it never closes or the closing quote is followed by something else than a
// blank.
bool ReadQuoted(std::string_view text, size_t& i, char quote, std::string& word) {
  while (i < text.size()) {
    char c = text[i++];
    if (c == quote) return i == text.size() || IsBlank(text[i]);
    if (c != '\\' || i == text.size()) {
      word += c;
    } else if (quote == '"') {
      i = ReadEscape(text, i, word);
    } else if (text[i] == '\'') {  // '...' knows one escape: \'
      word += text[i++];
    } else {
      word += c;
    }
  }
  return false;
}

}  // namespace

std::optional<std::vector<std::string>> SplitQuotedWords(std::string_view text) {
  text = text.substr(0, text.find('\0'));
  std::vector<std::string> words;
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    if (i == text.size()) return words;
    std::string& word = words.emplace_back();
    while (i < text.size() && !EndsWord(text[i])) {
      char c = text[i++];
      if (c != '"' && c != '\'') {
        word += c;
        continue;
      }
      if (!ReadQuoted(text, i, c, word)) return std::nullopt;
      break;  // a closing quote ends the word
    }
  }
}

}  // namespace strongbox::engine::acl
