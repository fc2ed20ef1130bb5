// String building and splitting for the ACL code on std::string_view (Debian's Abseil has its
// own string_view, which absl::StrCat and absl::StrSplit insist on).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strongbox::engine::acl {

inline void AppendPart(std::string& out, std::string_view part) { out.append(part); }
inline void AppendPart(std::string& out, int64_t number) { out.append(std::to_string(number)); }

template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (AppendPart(out, parts), ...);
  return out;
}

template <typename... Parts>
void Append(std::string* out, const Parts&... parts) {
  (AppendPart(*out, parts), ...);
}

// What Redis's C-string formatting ("%s") shows of `text`: up to its first NUL byte.
inline std::string_view UpToNul(std::string_view text) { return text.substr(0, text.find('\0')); }

// The words of a selector's inside, split as Redis 7.0 splits them (its sdssplitargs): blanks
// separate words, "..." takes \xHH \n \r \t \b \a escapes, '...' takes \'; a NUL byte ends the
// text. nullopt for an unbalanced quote or a closing quote followed by more than a blank.
std::optional<std::vector<std::string>> SplitQuotedWords(std::string_view text);

// The pieces of `text` between `separator`s; empty pieces are kept unless skip_empty.
std::vector<std::string_view> Split(std::string_view text, char separator, bool skip_empty);
std::string_view TrimAscii(std::string_view text);

}  // namespace strongbox::engine::acl
