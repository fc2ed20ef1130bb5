// ACL file parsing and its durable replacement.
#include "engine/acl/acl_file.h"

#include <span>
#include <vector>

#include "engine/acl/acl_text.h"

namespace strongbox::engine::acl {

std::vector<std::string_view> Split(std::string_view text, char separator, bool skip_empty) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (!skip_empty || end > start) pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return pieces;
}

std::string_view TrimAscii(std::string_view text) {
  static constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

namespace {

// One line's user, or Redis 7.0's complaint about it ("<path>:<line>..." or a WARNING).
std::string ParseLine(std::string_view line, std::string_view path, int64_t line_number,
                      UserMap& users) {
  std::vector<std::string_view> words = Split(line, ' ', true);
  if (words[0] != "user" || words.size() < 2 || !ValidUserName(words[1])) {
    return Cat(path, ":", line_number,
               " should start with user keyword followed by the username. ");
  }
  std::string name(words[1]);
  if (users.count(name) > 0) {
    return Cat("WARNING: Duplicate user '", name, "' found on line ", line_number, ". ");
  }
  // Named before its rules apply, so a later duplicate is reported even if this line fails.
  User& user = users.emplace(name, User(name)).first->second;
  MergedRules merged = MergeSelectorRules(std::span(words).subspan(2));
  if (!merged.ok()) return Cat(path, ":", line_number, ": ", UnmatchedText(merged.unmatched), " ");
  // As Redis 7.0: every unknown command is named with its rule; of the other errors only the
  // first is reported, without the rule (it may be a password).
  std::string errors;
  bool other_error = false;
  for (const std::string& rule : merged.rules) {
    std::string error = ApplyRule(user, rule);
    if (error.empty()) continue;
    if (IsUnknownNameError(error)) {
      Append(&errors, path, ":", line_number, ": Error in applying operation '", rule, "': ", error,
             ". ");
    } else if (!other_error) {
      Append(&errors, path, ":", line_number, ": ", error, ". ");
      other_error = true;
    }
  }
  return errors;
}

}  // namespace

absl::StatusOr<UserMap> ParseAclFile(std::string_view text, std::string_view path) {
  UserMap users;
  std::string errors;
  int64_t line_number = 0;
  for (std::string_view line : Split(text, '\n', false)) {
    ++line_number;
    line = TrimAscii(line);
    if (line.empty() || line[0] == '#') continue;
    errors += ParseLine(line, path, line_number, users);
  }
  if (!errors.empty()) {
    errors +=
        "WARNING: ACL errors detected, no change to the previously active ACL rules was "
        "performed";
    return absl::InvalidArgumentError(errors);
  }
  return users;
}

std::string FormatAclFile(const UserMap& users) {
  std::string text;
  for (const auto& [name, user] : users) Append(&text, DescribeUser(user), "\n");
  return text;
}

absl::StatusOr<std::string> ReadAclFile(io::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  return (*file)->ReadAt(0, *size);
}

absl::Status WriteAclFileDurably(io::FileSystem& fs, const std::string& path,
                                 std::string_view contents) {
  std::string temp = path + ".tmp";
  auto file = fs.Open(temp, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  absl::Status status = (*file)->WriteAt(0, contents);
  if (status.ok()) status = (*file)->Fsync();
  file->reset();
  if (status.ok()) status = fs.Rename(temp, path);
  if (!status.ok()) {
    fs.Unlink(temp).IgnoreError();  // the old file stays as it was
    return status;
  }
  size_t slash = path.rfind('/');
  return fs.FsyncDir(slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
}

absl::Status LoadAclFile(io::FileSystem& fs, AclStore& store) {
  auto text = ReadAclFile(fs, store.aclfile());
  if (!text.ok()) return text.status();
  auto users = ParseAclFile(*text, store.aclfile());
  if (!users.ok()) return users.status();
  store.ReplaceAll(*std::move(users));
  return absl::OkStatus();
}

}  // namespace strongbox::engine::acl
