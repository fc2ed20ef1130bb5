// How ACL GETUSER and ACL LIST describe a user and its selectors. The command rules are rebuilt
// from the allowed units as Redis 7.0 does: start from +@all or -@all, greedily add the category
// that best fits what is left, then name the single commands that still differ.
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
std::string BestCategories(const Selector& sel, bool additive, std::vector<bool>& fake) {
  std::string rules;
  std::vector<bool> left = sel.allowed;
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

std::string DescribeCommands(const Selector& sel) {
  bool additive = !sel.all_future;
  std::string rules = additive ? "-@all " : "+@all ";
  std::vector<bool> fake(sel.allowed.size(), !additive);
  rules += BestCategories(sel, additive, fake);
  const auto& units = Units();
  for (size_t i = 0; i < units.size(); ++i) {
    if (sel.allowed[i] != fake[i]) {
      Append(&rules, sel.allowed[i] ? "+" : "-", units[i].name, " ");
    }
    auto it = sel.first_args.find(i);
    if (sel.allowed[i] || it == sel.first_args.end()) continue;
    for (const std::string& arg : it->second) {
      Append(&rules, "+", units[i].name, "|", arg, " ");
    }
  }
  rules.pop_back();
  return rules;
}

std::string DescribeKeys(const Selector& sel) {
  if (sel.allkeys) return "~*";
  std::vector<std::string> parts;
  for (const KeyPattern& k : sel.keys) {
    std::string prefix = k.access == kKeyRead ? "%R~" : k.access == kKeyWrite ? "%W~" : "~";
    parts.push_back(prefix + k.pattern);
  }
  return absl::StrJoin(parts, " ");
}

std::string DescribeChannels(const Selector& sel) {
  if (sel.allchannels) return "&*";
  std::vector<std::string> parts;
  for (const std::string& c : sel.channels) parts.push_back("&" + c);
  return absl::StrJoin(parts, " ");
}

namespace {

// ACL LIST's "<keys> <channels> <commands>" for one selector.
std::string DescribeSelector(const Selector& selector) {
  std::string text = DescribeKeys(selector);
  if (!text.empty()) text += ' ';
  text += selector.allchannels ? "&*" : "resetchannels";
  if (!selector.allchannels && !selector.channels.empty()) {
    Append(&text, " ", DescribeChannels(selector));
  }
  Append(&text, " ", DescribeCommands(selector));
  return text;
}

}  // namespace

std::string DescribeUser(const User& user) {
  std::string line = Cat("user ", user.name, " ", absl::StrJoin(DescribeFlags(user), " "));
  for (const std::string& hash : user.password_hashes) Append(&line, " #", hash);
  Append(&line, " ", DescribeSelector(user.root));
  for (const Selector& selector : user.selectors) {
    Append(&line, " (", DescribeSelector(selector), ")");
  }
  return line;
}

}  // namespace strongbox::engine::acl
