// ACL SETUSER's rules, applied one at a time to a user (Redis 7.0's syntax and error texts).
#include "engine/acl/acl_user.h"

#include <algorithm>

#include "common/util/ascii.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_text.h"
#include "engine/commands/command_util.h"
#include "engine/scripting/script_body.h"

namespace strongbox::engine::acl {

Selector::Selector() : allowed(Units().size(), false) {}

User::User(std::string user_name) : name(std::move(user_name)) {}

std::string HashPassword(std::string_view password) { return scripting::Sha256Hex(password); }

namespace {

constexpr std::string_view kSyntax = "Syntax error";
constexpr std::string_view kUnknownName = "Unknown command or category name in ACL";
constexpr std::string_view kFirstArgOfSubcommand =
    "Allowing first-arg of a subcommand is not supported";
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
void SetUnit(Selector& sel, size_t unit, bool allow) {
  const auto& units = Units();
  sel.allowed[unit] = allow;
  sel.first_args.erase(unit);
  if (!units[unit].container) return;
  for (size_t i = unit + 1; i < units.size() && units[i].parent == unit; ++i) {
    sel.allowed[i] = allow;
  }
}

void SetAll(Selector& sel, bool allow) {
  std::fill(sel.allowed.begin(), sel.allowed.end(), allow);
  sel.first_args.clear();
  sel.all_future = allow;
}

std::string ApplyCategory(Selector& sel, std::string_view name, bool allow) {
  if (EqualsIgnoreCase(name, "all")) {
    SetAll(sel, allow);
    return "";
  }
  auto bit = CategoryByName(name);
  if (!bit) return std::string(kUnknownName);
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (units[i].categories & *bit) SetUnit(sel, i, allow);
  }
  return "";
}

// "+cmd|arg" on a command without subcommands allows that first argument only (compared
// without case, shown as first written).
void AllowFirstArg(Selector& sel, size_t unit, std::string_view arg) {
  if (sel.allowed[unit]) return;
  auto& args = sel.first_args[unit];
  bool known = std::any_of(args.begin(), args.end(),
                           [&](const std::string& a) { return EqualsIgnoreCase(a, arg); });
  if (!known) args.emplace_back(arg);
}

// "+head|sub" where "head|sub" is no unit: a first argument of a command, or Redis 7.0's error.
std::string AllowBarred(Selector& sel, std::string_view name) {
  size_t bar = name.rfind('|');
  auto head = FindUnit(name.substr(0, bar));
  if (!head) return std::string(kUnknownName);
  if (Units()[*head].parent != SIZE_MAX) return std::string(kFirstArgOfSubcommand);
  if (bar + 1 == name.size()) return std::string(kSyntax);
  if (Units()[*head].container) return std::string(kUnknownName);
  AllowFirstArg(sel, *head, name.substr(bar + 1));
  return "";
}

std::string ApplyCommand(Selector& sel, std::string_view name, bool allow) {
  if (!name.empty() && name[0] == '@') return ApplyCategory(sel, name.substr(1), allow);
  if (auto unit = FindUnit(name)) {
    SetUnit(sel, *unit, allow);
    return "";
  }
  if (!allow || name.find('|') == std::string_view::npos) return std::string(kUnknownName);
  return AllowBarred(sel, name);
}

// Redis 7.0 refuses key and channel patterns with blanks or NUL bytes (ACL LIST could not
// round-trip them).
bool HasBlanks(std::string_view pattern) {
  return std::any_of(pattern.begin(), pattern.end(),
                     [](char c) { return c == '\0' || c == ' ' || (c >= '\t' && c <= '\r'); });
}

void SetAllKeys(Selector& sel) {
  sel.allkeys = true;
  sel.keys.clear();
}

void SetAllChannels(Selector& sel) {
  sel.allchannels = true;
  sel.channels.clear();
}

std::string AddKeyPattern(Selector& sel, std::string_view pattern, uint8_t access) {
  if (HasBlanks(pattern)) return std::string(kSyntax);
  for (KeyPattern& k : sel.keys) {
    if (k.pattern == pattern) {
      k.access |= access;
      return "";
    }
  }
  sel.keys.push_back(KeyPattern{std::string(pattern), access});
  return "";
}

// "~p", "%R~p", "%W~p", "%RW~p" ("~*" is the allkeys keyword; "%RW~*" is a pattern).
std::string ApplyKeyRule(Selector& sel, std::string_view rule) {
  if (sel.allkeys) return std::string(kAfterAllKeys);  // checked first, as Redis 7.0
  if (rule[0] == '~') return AddKeyPattern(sel, rule.substr(1), kKeyRead | kKeyWrite);
  uint8_t access = 0;
  size_t i = 1;
  for (; i < rule.size() && rule[i] != '~'; ++i) {
    char c = AsciiToLower(rule[i]);
    uint8_t bit = c == 'r' ? kKeyRead : c == 'w' ? kKeyWrite : 0;
    if (bit == 0 || (access & bit)) return std::string(kSyntax);  // "%RR~" too
    access |= bit;
  }
  if (access == 0) return std::string(kSyntax);
  // As Redis 7.0, "%R" without '~' is the empty pattern.
  return AddKeyPattern(sel, i < rule.size() ? rule.substr(i + 1) : "", access);
}

std::string AddChannel(Selector& sel, std::string_view pattern) {
  if (sel.allchannels) return std::string(kAfterAllChannels);
  if (HasBlanks(pattern)) return std::string(kSyntax);
  auto& list = sel.channels;
  if (std::find(list.begin(), list.end(), pattern) == list.end()) list.emplace_back(pattern);
  return "";
}

void Reset(User& user) {
  user.password_hashes.clear();
  user.nopass = false;
  user.enabled = false;
  user.sanitize = 1;
  user.root = Selector();  // resetkeys resetchannels -@all
  user.selectors.clear();
}

// The one-word rules of a selector.
bool ApplySelectorKeyword(Selector& selector, std::string_view rule) {
  std::string word = ToLower(rule);
  if (word == "allkeys" || word == "~*") {
    SetAllKeys(selector);
  } else if (word == "resetkeys") {
    selector.allkeys = false;
    selector.keys.clear();
  } else if (word == "allchannels" || word == "&*") {
    SetAllChannels(selector);
  } else if (word == "resetchannels") {
    selector.allchannels = false;
    selector.channels.clear();
  } else if (word == "allcommands" || word == "nocommands") {
    SetAll(selector, word == "allcommands");
  } else {
    return false;
  }
  return true;
}

// The one-word rules only the user (not a selector) takes.
bool ApplyUserKeyword(User& user, std::string_view rule) {
  std::string word = ToLower(rule);
  if (word == "on" || word == "off") {
    user.enabled = word == "on";
  } else if (word == "nopass" || word == "resetpass") {
    user.password_hashes.clear();
    user.nopass = word == "nopass";
  } else if (word == "sanitize-payload" || word == "skip-sanitize-payload") {
    user.sanitize = word == "sanitize-payload" ? 1 : 2;
  } else if (word == "reset") {
    Reset(user);
  } else if (word == "clearselectors") {
    user.selectors.clear();
  } else {
    return false;
  }
  return true;
}

// The password rules: > < # !
std::string ApplyPasswordRule(User& user, std::string_view rule) {
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
    default:
      return ValidHash(rest) ? RemoveHash(user, std::string(rest)) : std::string(kBadHash);
  }
}

// "(+get ~k*)": a new selector from the rules inside the parentheses.
std::string AddSelector(User& user, std::string_view rule) {
  Selector selector;
  // Redis 7.0 quirk kept for parity: an unbalanced quote inside leaves the selector empty.
  auto words = SplitQuotedWords(rule.substr(1, rule.size() - 2));
  for (const std::string& inner : words.value_or(std::vector<std::string>())) {
    std::string error = ApplySelectorRule(selector, inner);
    if (!error.empty()) return error;
  }
  user.selectors.push_back(std::move(selector));
  return "";
}

}  // namespace

std::string ApplySelectorRule(Selector& selector, std::string_view rule) {
  if (rule.empty()) return std::string(kSyntax);  // ACL SETUSER's "" never gets here
  if (ApplySelectorKeyword(selector, rule)) return "";
  std::string_view rest = rule.substr(1);
  switch (rule[0]) {
    case '~':
    case '%':
      return ApplyKeyRule(selector, rule);
    case '&':
      return AddChannel(selector, rest);
    case '+':
    case '-':
      return ApplyCommand(selector, rest, rule[0] == '+');
    default:
      return std::string(kSyntax);
  }
}

std::string ApplyRule(User& user, std::string_view rule) {
  if (rule.empty() || ApplyUserKeyword(user, rule)) return "";
  if (std::string_view("><#!").find(rule[0]) != std::string_view::npos) {
    return ApplyPasswordRule(user, rule);
  }
  if (rule.size() >= 2 && rule.front() == '(' && rule.back() == ')') return AddSelector(user, rule);
  return ApplySelectorRule(user.root, rule);
}

bool IsUnknownNameError(std::string_view reason) { return reason == kUnknownName; }

MergedRules MergeSelectorRules(std::span<const std::string_view> words) {
  MergedRules merged;
  std::string opening;  // the word that opened the selector being merged
  bool open = false;
  for (std::string_view word : words) {
    // A word opening a selector restarts it, even inside another (Redis 7.0 drops the first).
    if (!word.empty() && word.front() == '(' && word.back() != ')') {
      merged.unmatched = opening = std::string(word);
      open = true;
      continue;
    }
    if (!open) {
      merged.rules.emplace_back(word);
      continue;
    }
    Append(&merged.unmatched, " ", word);
    if (!word.empty() && word.back() == ')') {
      merged.rules.push_back(std::move(merged.unmatched));
      merged.unmatched.clear();
      open = false;
    }
  }
  if (open) merged.unmatched = opening;
  return merged;
}

std::string UnmatchedText(std::string_view opening) {
  return Cat("Unmatched parenthesis in acl selector starting at '", opening, "'.");
}

}  // namespace strongbox::engine::acl
