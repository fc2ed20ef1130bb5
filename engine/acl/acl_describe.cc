// How ACL GETUSER and ACL LIST describe a user. The command rules are rebuilt from the allowed
// units as Redis 7.0 does: start from +@all or -@all, greedily add the category that best fits
// what is left, then name the single commands that still differ.
#include <climits>

#include "absl/strings/str_join.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_text.h"
#include "engine/acl/acl_user.h"

namespace strongbox::engine::acl {
namespace {

struct Counts {
  size_t on = 0, off = 0;
};

// Top-level commands of the category set / not set in `bits` (Redis counts no subcommands).
Counts CountCategory(const std::vector<bool>& bits, uint32_t category) {
  Counts counts;
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (units[i].parent != SIZE_MAX || !(units[i].categories & category)) continue;
    bits[i] ? ++counts.on : ++counts.off;
  }
  return counts;
}

// Applies a category to a bit vector the way ApplyRule does (containers carry their subs).
void SetCategory(std::vector<bool>& bits, uint32_t category, bool allow) {
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (!(units[i].categories & category)) continue;
    bits[i] = allow;
    for (size_t j = i + 1; units[i].container && j < units.size() && units[j].parent == i; ++j) {
      bits[j] = allow;
    }
  }
}

// The categories that approximate the user's commands, applied to `fake` as they are named.
std::string BestCategories(const User& user, bool additive, std::vector<bool>& fake) {
  std::string rules;
  std::vector<bool> left = user.allowed;
  bool applied[kCategoryCount] = {};
  while (true) {
    int best = -1;
    size_t min_diff = SIZE_MAX, max_same = 0;
    for (size_t c = 0; c < kCategoryCount; ++c) {
      if (applied[c]) continue;
      Counts counts = CountCategory(left, 1u << c);
      size_t diff = additive ? counts.off : counts.on;
      size_t same = additive ? counts.on : counts.off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(c);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) return rules;
    SetCategory(fake, 1u << best, additive);
    SetCategory(left, 1u << best, !additive);
    Append(&rules, additive ? "+@" : "-@", kCategoryNames[best], " ");
    applied[best] = true;
  }
}

}  // namespace

std::vector<std::string> DescribeFlags(const User& user) {
  std::vector<std::string> flags = {user.enabled ? "on" : "off"};
  if (user.nopass) flags.push_back("nopass");
  if (user.sanitize == 2) flags.push_back("skip-sanitize-payload");
  if (user.sanitize == 1) flags.push_back("sanitize-payload");
  return flags;
}

std::string DescribeCommands(const User& user) {
  bool additive = !user.all_future;
  std::string rules = additive ? "-@all " : "+@all ";
  std::vector<bool> fake(user.allowed.size(), !additive);
  rules += BestCategories(user, additive, fake);
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (user.allowed[i] != fake[i]) {
      Append(&rules, user.allowed[i] ? "+" : "-", units[i].name, " ");
    }
    auto it = user.first_args.find(i);
    if (user.allowed[i] || it == user.first_args.end()) continue;
    for (const std::string& arg : it->second) {
      Append(&rules, "+", units[i].name, "|", arg, " ");
    }
  }
  rules.pop_back();
  return rules;
}

std::string DescribeKeys(const User& user) {
  if (user.allkeys) return "~*";
  std::vector<std::string> parts;
  for (const KeyPattern& k : user.keys) {
    std::string prefix = k.access == kKeyRead ? "%R~" : k.access == kKeyWrite ? "%W~" : "~";
    parts.push_back(prefix + k.pattern);
  }
  return absl::StrJoin(parts, " ");
}

std::string DescribeChannels(const User& user) {
  if (user.allchannels) return "&*";
  std::vector<std::string> parts;
  for (const std::string& c : user.channels) parts.push_back("&" + c);
  return absl::StrJoin(parts, " ");
}

std::string DescribeUser(const User& user) {
  std::string line = Cat("user ", user.name, " ", absl::StrJoin(DescribeFlags(user), " "));
  for (const std::string& hash : user.password_hashes) Append(&line, " #", hash);
  std::string keys = DescribeKeys(user);
  if (!keys.empty()) Append(&line, " ", keys);
  Append(&line, user.allchannels ? " &*" : " resetchannels");
  if (!user.allchannels && !user.channels.empty()) {
    Append(&line, " ", DescribeChannels(user));
  }
  Append(&line, " ", DescribeCommands(user));
  return line;
}

}  // namespace strongbox::engine::acl
