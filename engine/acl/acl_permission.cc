// The permission check of one command line: the command (or subcommand, or allowed first
// argument), then its keys with the access the command needs, then its channels.
#include <algorithm>

#include "common/util/ascii.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_user.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"

namespace strongbox::engine::acl {
namespace {

bool CommandAllowed(const User& user, const CommandSpec& spec,
                    std::span<const std::string_view> argv) {
  if (spec.flags & kNoAuth) return true;  // AUTH, HELLO, QUIT: every user may run them
  size_t unit = UnitOf(spec, argv);
  if (user.allowed[unit]) return true;
  auto it = user.first_args.find(unit);
  if (it == user.first_args.end() || argv.size() < 2) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& arg) { return EqualsIgnoreCase(arg, argv[1]); });
}

bool KeyAllowed(const User& user, std::string_view key, uint8_t access) {
  if (user.allkeys) return true;
  return std::any_of(user.keys.begin(), user.keys.end(), [&](const KeyPattern& k) {
    return (k.access & access) == access && GlobMatch(k.pattern, key);
  });
}

// The argv index of the first key the user may not touch, or 0.
size_t DeniedKey(const User& user, const CommandSpec& spec,
                 std::span<const std::string_view> argv) {
  if (user.allkeys || spec.first_key <= 0) return 0;
  uint8_t access = Units()[UnitOf(spec, argv)].key_access;
  if (access == 0) access = (spec.flags & kWrite) ? kKeyWrite : kKeyRead;
  int argc = static_cast<int>(argv.size());
  int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  int step = std::max(spec.key_step, 1);
  for (int i = spec.first_key; i <= last; i += step) {
    if (!KeyAllowed(user, argv[i], access)) return static_cast<size_t>(i);
  }
  return 0;
}

// The argv index of the first channel the user may not use, or 0.
size_t DeniedChannel(const User& user, const CommandSpec& spec,
                     std::span<const std::string_view> argv) {
  if (user.allchannels) return 0;
  std::string_view name = spec.name;
  bool publish = name == "publish" || name == "spublish";
  bool pattern = name == "psubscribe";
  if (!publish && !pattern && name != "subscribe" && name != "ssubscribe") return 0;
  size_t end = publish ? std::min<size_t>(argv.size(), 2) : argv.size();
  for (size_t i = 1; i < end; ++i) {
    if (!ChannelAllowed(user, argv[i], pattern)) return i;
  }
  return 0;
}

}  // namespace

bool ChannelAllowed(const User& user, std::string_view channel, bool is_pattern) {
  if (user.allchannels) return true;
  return std::any_of(user.channels.begin(), user.channels.end(), [&](const std::string& p) {
    return is_pattern ? p == channel : GlobMatch(p, channel);
  });
}

Verdict Check(const User& user, const CommandSpec& spec, std::span<const std::string_view> argv) {
  if (!CommandAllowed(user, spec, argv)) return Verdict{Denial::kCommand, 0};
  if (size_t key = DeniedKey(user, spec, argv)) return Verdict{Denial::kKey, key};
  if (size_t channel = DeniedChannel(user, spec, argv)) return Verdict{Denial::kChannel, channel};
  return Verdict{};
}

}  // namespace strongbox::engine::acl
