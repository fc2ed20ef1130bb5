// One ACL user: its flags, password hashes, and the command, key and channel rules of
// ACL SETUSER (Redis 7.0's syntax) held in a root selector plus the "(...)" selectors, how
// ACL GETUSER / LIST describe it, and the permission check of one command line against it.
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

// One permission set: commands, key patterns and channels (Redis 7.0's "selector"). A user's
// root selector takes the rules written outside parentheses; each "(...)" adds another.
struct Selector {
  std::vector<bool> allowed;  // per unit of Units()
  bool all_future = false;    // +@all: commands added later are allowed too
  absl::flat_hash_map<size_t, std::vector<std::string>> first_args;  // unit -> "+select|0" args
  bool allkeys = false;
  std::vector<KeyPattern> keys;
  bool allchannels = false;  // Redis 7.0's acl-pubsub-default is resetchannels
  std::vector<std::string> channels;

  Selector();
};

struct User {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // GETUSER's payload-sanitizing flag: 0 unset, 1 sanitize-payload, 2 skip-sanitize-payload.
  int sanitize = 0;
  std::vector<std::string> password_hashes;  // SHA-256, lower-case hex, in the order added
  Selector root;
  std::vector<Selector> selectors;  // in the order added, as ACL LIST shows them

  explicit User(std::string user_name);
};

// SHA-256 of a password as lower-case hex (what ACL GETUSER shows and '#' takes).
std::string HashPassword(std::string_view password);

// Applies one ACL SETUSER rule ("(+get ~k*)" adds a selector); returns "" or Redis 7.0's
// reason ("Syntax error", ...).
std::string ApplyRule(User& user, std::string_view rule);
// A rule that may appear inside "(...)": commands, keys and channels only.
std::string ApplySelectorRule(Selector& selector, std::string_view rule);
// Redis 7.0's reason for a rule naming a command or category that does not exist: the one error
// an ACL file reports with its rule (the others may hold a password).
bool IsUnknownNameError(std::string_view reason);

// The rules as ACL SETUSER and the ACL file split them: "(+get" "~k*)" is one rule "(+get ~k*)".
struct MergedRules {
  std::vector<std::string> rules;
  std::string unmatched;  // the rule opening a selector never closed, or ""
  bool ok() const { return unmatched.empty(); }
};
MergedRules MergeSelectorRules(std::span<const std::string_view> words);
// Redis 7.0's text for MergedRules::unmatched.
std::string UnmatchedText(std::string_view opening);

// ACL GETUSER's fields and ACL LIST's line ("user alice on #... ~* &* +@all (~k* ... +get)").
std::vector<std::string> DescribeFlags(const User& user);
std::string DescribeCommands(const Selector& selector);
std::string DescribeKeys(const Selector& selector);
std::string DescribeChannels(const Selector& selector);
std::string DescribeUser(const User& user);

enum class Denial { kNone, kCommand, kKey, kChannel };
struct Verdict {
  Denial denial = Denial::kNone;
  size_t arg = 0;  // argv index of the refused key or channel
};
// May `user` run this command line? Yes if its root or any selector allows all of it: the
// command, then its keys (with the access the command needs), then its channels. A refusal
// names what Redis 7.0 names: the worst denial over the selectors (channel, key, command), the
// last argument on a tie.
Verdict Check(const User& user, const CommandSpec& spec, std::span<const std::string_view> argv);
// Is `channel` (a literal pattern when is_pattern: PSUBSCRIBE) open to some selector of the user?
bool ChannelAllowed(const User& user, std::string_view channel, bool is_pattern);
// Does some selector of the user allow every channel?
bool AllChannels(const User& user);

}  // namespace strongbox::engine::acl
