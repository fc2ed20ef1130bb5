// Redis's packed blobs inside RDB values: ziplist, listpack, intset and zipmap (decoding), and
// listpack (encoding, for streams). Elements come out as strings: integers in decimal, as
// Redis prints them. A blob whose headers, entries or terminator disagree is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strongbox::rdb {

absl::StatusOr<std::vector<std::string>> DecodeZiplist(std::string_view blob);
absl::StatusOr<std::vector<std::string>> DecodeListpack(std::string_view blob);
absl::StatusOr<std::vector<std::string>> DecodeIntset(std::string_view blob);
// field, value, field, value...
absl::StatusOr<std::vector<std::string>> DecodeZipmap(std::string_view blob);

// Builds a listpack element by element (integers as Redis encodes them, else strings).
class ListpackWriter {
 public:
  ListpackWriter();
  void AddString(std::string_view s);  // integer-looking strings are stored as integers
  void AddInt(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return body_.size(); }
  std::string Finish() const;  // header + entries + terminator

 private:
  void AddEncoded(std::string_view encoded);
  std::string body_;  // the entries
  size_t count_ = 0;
};

// Redis's string2ll: the canonical decimal form of an int64 (no sign on 0, no leading zeros).
std::optional<int64_t> CanonicalInt(std::string_view s);

}  // namespace strongbox::rdb
