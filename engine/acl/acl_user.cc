// ACL SETUSER's rules, applied one at a time to a user (Redis 7.0's syntax and error texts).
#include "engine/acl/acl_user.h"

#include <algorithm>

#include "common/util/ascii.h"
#include "engine/acl/acl_categories.h"
#include "engine/commands/command_util.h"
#include "engine/scripting/script_body.h"

namespace strongbox::engine::acl {

User::User(std::string user_name) : name(std::move(user_name)), allowed(Units().size(), false) {}

std::string HashPassword(std::string_view password) { return scripting::Sha256Hex(password); }

namespace {

constexpr std::string_view kSyntax = "Syntax error";
constexpr std::string_view kUnknownName = "Unknown command or category name in ACL";
constexpr std::string_view kNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
constexpr std::string_view kBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kAfterAllKeys =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kAfterAllChannels =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";

bool ValidHash(std::string_view hash) {
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void AddHash(User& user, std::string hash) {
  user.nopass = false;
  auto& hashes = user.password_hashes;
  if (std::find(hashes.begin(), hashes.end(), hash) == hashes.end()) hashes.push_back(hash);
}

std::string RemoveHash(User& user, const std::string& hash) {
  auto& hashes = user.password_hashes;
  auto it = std::find(hashes.begin(), hashes.end(), hash);
  if (it == hashes.end()) return std::string(kNoSuchPassword);
  hashes.erase(it);
  return "";
}

// A unit and, for a container, all its subcommands; setting a bit drops "+cmd|arg" grants.
void SetUnit(User& user, size_t unit, bool allow) {
  const auto& units = Units();
  user.allowed[unit] = allow;
  user.first_args.erase(unit);
  if (!units[unit].container) return;
  for (size_t i = unit + 1; i < units.size() && units[i].parent == unit; ++i) {
    user.allowed[i] = allow;
  }
}

void SetAll(User& user, bool allow) {
  std::fill(user.allowed.begin(), user.allowed.end(), allow);
  user.first_args.clear();
  user.all_future = allow;
}

std::string ApplyCategory(User& user, std::string_view name, bool allow) {
  if (EqualsIgnoreCase(name, "all")) {
    SetAll(user, allow);
    return "";
  }
  auto bit = CategoryByName(name);
  if (!bit) return std::string(kUnknownName);
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (units[i].categories & *bit) SetUnit(user, i, allow);
  }
  return "";
}

// "+cmd|arg" on a command without subcommands allows that first argument only.
std::string AllowFirstArg(User& user, size_t unit, std::string_view arg) {
  if (arg.empty() || arg.find('|') != std::string_view::npos) return std::string(kSyntax);
  if (user.allowed[unit]) return "";
  auto& args = user.first_args[unit];
  std::string lower = ToLower(arg);
  if (std::find(args.begin(), args.end(), lower) == args.end()) args.push_back(lower);
  return "";
}

std::string ApplyCommand(User& user, std::string_view name, bool allow) {
  if (!name.empty() && name[0] == '@') return ApplyCategory(user, name.substr(1), allow);
  if (auto unit = FindUnit(name)) {
    SetUnit(user, *unit, allow);
    return "";
  }
  size_t bar = name.find('|');
  if (bar == std::string_view::npos || !allow) return std::string(kUnknownName);
  auto parent = FindUnit(name.substr(0, bar));
  if (!parent || Units()[*parent].container) return std::string(kUnknownName);
  return AllowFirstArg(user, *parent, name.substr(bar + 1));
}

std::string AddKeyPattern(User& user, std::string_view pattern, uint8_t access) {
  if (pattern == "*" && access == (kKeyRead | kKeyWrite)) {
    user.allkeys = true;
    user.keys.clear();
    return "";
  }
  if (user.allkeys) return std::string(kAfterAllKeys);
  for (KeyPattern& k : user.keys) {
    if (k.pattern == pattern) {
      k.access |= access;
      return "";
    }
  }
  user.keys.push_back(KeyPattern{std::string(pattern), access});
  return "";
}

// "%R~p", "%W~p", "%RW~p".
std::string ApplyKeyPermission(User& user, std::string_view rule) {
  uint8_t access = 0;
  size_t i = 1;
  for (; i < rule.size() && rule[i] != '~'; ++i) {
    char c = AsciiToLower(rule[i]);
    if (c == 'r') {
      access |= kKeyRead;
    } else if (c == 'w') {
      access |= kKeyWrite;
    } else {
      return std::string(kSyntax);
    }
  }
  if (i == rule.size() || access == 0) return std::string(kSyntax);
  return AddKeyPattern(user, rule.substr(i + 1), access);
}

std::string AddChannel(User& user, std::string_view pattern) {
  if (pattern == "*") {
    user.allchannels = true;
    user.channels.clear();
    return "";
  }
  if (user.allchannels) return std::string(kAfterAllChannels);
  auto& list = user.channels;
  if (std::find(list.begin(), list.end(), pattern) == list.end()) list.emplace_back(pattern);
  return "";
}

void Reset(User& user) {
  user.password_hashes.clear();
  user.nopass = false;
  user.allkeys = false;
  user.keys.clear();
  user.allchannels = false;  // Redis 7.0's acl-pubsub-default: resetchannels
  user.channels.clear();
  user.enabled = false;
  user.sanitize = 1;
  SetAll(user, false);
}

// The rules that are one word.
bool ApplyKeyword(User& user, std::string_view rule) {
  std::string word = ToLower(rule);
  if (word == "on" || word == "off") {
    user.enabled = word == "on";
  } else if (word == "nopass" || word == "resetpass") {
    user.password_hashes.clear();
    user.nopass = word == "nopass";
  } else if (word == "allkeys") {
    AddKeyPattern(user, "*", kKeyRead | kKeyWrite);
  } else if (word == "resetkeys") {
    user.allkeys = false;
    user.keys.clear();
  } else if (word == "allchannels") {
    AddChannel(user, "*");
  } else if (word == "resetchannels") {
    user.allchannels = false;
    user.channels.clear();
  } else if (word == "allcommands" || word == "nocommands") {
    SetAll(user, word == "allcommands");
  } else if (word == "sanitize-payload" || word == "skip-sanitize-payload") {
    user.sanitize = word == "sanitize-payload" ? 1 : 2;
  } else if (word == "reset") {
    Reset(user);
  } else {
    return word == "clearselectors";  // no selectors to clear
  }
  return true;
}

}  // namespace

std::string ApplyRule(User& user, std::string_view rule) {
  if (ApplyKeyword(user, rule)) return "";
  if (rule.empty()) return std::string(kSyntax);
  std::string_view rest = rule.substr(1);
  switch (rule[0]) {
    case '>':
      AddHash(user, HashPassword(rest));
      return "";
    case '<':
      return RemoveHash(user, HashPassword(rest));
    case '#':
      if (!ValidHash(rest)) return std::string(kBadHash);
      AddHash(user, std::string(rest));
      return "";
    case '!':
      return ValidHash(rest) ? RemoveHash(user, std::string(rest)) : std::string(kBadHash);
    case '~':
      return AddKeyPattern(user, rest, kKeyRead | kKeyWrite);
    case '%':
      return ApplyKeyPermission(user, rule);
    case '&':
      return AddChannel(user, rest);
    case '+':
    case '-':
      return ApplyCommand(user, rest, rule[0] == '+');
    default:
      return std::string(kSyntax);
  }
}

}  // namespace strongbox::engine::acl
