// One ACL user: its flags, password hashes, and the command, key and channel rules of
// ACL SETUSER (Redis 7.0's syntax), how ACL GETUSER / LIST describe it, and the permission check
// of one command line against it. Selectors ("(...)") are not supported.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command.h"

namespace strongbox::engine::acl {

struct KeyPattern {
  std::string pattern;
  uint8_t access = 0;  // KeyAccess bits granted
};

struct User {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // GETUSER's payload-sanitizing flag: 0 unset, 1 sanitize-payload, 2 skip-sanitize-payload.
  int sanitize = 0;
  std::vector<std::string> password_hashes;  // SHA-256, lower-case hex, in the order added
  std::vector<bool> allowed;                 // per unit of Units()
  bool all_future = false;                   // +@all: commands added later are allowed too
  absl::flat_hash_map<size_t, std::vector<std::string>> first_args;  // unit -> "+select|0" args
  bool allkeys = false;
  std::vector<KeyPattern> keys;
  bool allchannels = false;
  std::vector<std::string> channels;

  explicit User(std::string user_name);
};

// SHA-256 of a password as lower-case hex (what ACL GETUSER shows and '#' takes).
std::string HashPassword(std::string_view password);

// Applies one ACL SETUSER rule; returns "" or Redis 7.0's reason ("Syntax error", ...).
std::string ApplyRule(User& user, std::string_view rule);

// ACL GETUSER's fields and ACL LIST's line ("user alice on #... ~* &* +@all").
std::vector<std::string> DescribeFlags(const User& user);
std::string DescribeCommands(const User& user);
std::string DescribeKeys(const User& user);
std::string DescribeChannels(const User& user);
std::string DescribeUser(const User& user);

enum class Denial { kNone, kCommand, kKey, kChannel };
struct Verdict {
  Denial denial = Denial::kNone;
  size_t arg = 0;  // argv index of the refused key or channel
};
// May `user` run this command line? Command first, then its keys (with the access the command
// needs), then its channels, as Redis 7.0 checks them.
Verdict Check(const User& user, const CommandSpec& spec, std::span<const std::string_view> argv);
// Is `channel` (a literal pattern when is_pattern: PSUBSCRIBE) open to the user?
bool ChannelAllowed(const User& user, std::string_view channel, bool is_pattern);

}  // namespace strongbox::engine::acl
