// The permission check of one command line against each selector of a user: the command (or
// subcommand, or allowed first argument), then its keys with the access the command needs, then
// its channels.
#include <algorithm>
#include <optional>

#include "common/util/ascii.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_user.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"

namespace strongbox::engine::acl {
namespace {

bool SelectorAllowsChannel(const Selector& selector, std::string_view channel, bool is_pattern) {
  if (selector.allchannels) return true;
  return std::any_of(selector.channels.begin(), selector.channels.end(), [&](const std::string& p) {
    return is_pattern ? p == channel : GlobMatch(p, channel);
  });
}

// SET with GET reads; BITFIELD with only GETs only reads (Redis 7.0's VARIABLE_FLAGS key specs,
// whose access depends on the arguments).
std::optional<uint8_t> VariableKeyAccess(std::string_view name,
                                         std::span<const std::string_view> argv) {
  if (name == "set") {
    bool get = std::any_of(argv.begin() + std::min<size_t>(3, argv.size()), argv.end(),
                           [](std::string_view a) { return EqualsIgnoreCase(a, "get"); });
    return static_cast<uint8_t>(get ? kKeyRead | kKeyWrite : kKeyWrite);
  }
  if (name != "bitfield") return std::nullopt;
  for (size_t i = 2; i < argv.size(); ++i) {
    size_t left = argv.size() - i - 1;  // arguments after this one
    if (EqualsIgnoreCase(argv[i], "get") && left >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "overflow") && left >= 1) {
      i += 1;
    } else {
      // SET, INCRBY, or a syntax error: not read-only
      return static_cast<uint8_t>(kKeyRead | kKeyWrite);
    }
  }
  return kKeyRead;
}

// One command line and what every selector is asked about it, worked out once.
struct Line {
  const CommandSpec& spec;
  std::span<const std::string_view> argv;
  size_t unit;         // the command or subcommand it runs
  uint8_t key_access;  // what it does to its keys: its key specs', else its flags'
};

Line MakeLine(const CommandSpec& spec, std::span<const std::string_view> argv) {
  size_t unit = UnitOf(spec, argv);
  uint8_t access = VariableKeyAccess(spec.name, argv).value_or(Units()[unit].key_access);
  if (access == 0) access = (spec.flags & kWrite) ? kKeyWrite : kKeyRead;
  return Line{spec, argv, unit, access};
}

bool CommandAllowed(const Selector& sel, const Line& line) {
  if (line.spec.flags & kNoAuth) return true;  // AUTH, HELLO, QUIT: every user may run them
  if (sel.allowed[line.unit]) return true;
  auto it = sel.first_args.find(line.unit);
  if (it == sel.first_args.end() || line.argv.size() < 2) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& arg) { return EqualsIgnoreCase(arg, line.argv[1]); });
}

bool KeyAllowed(const Selector& sel, std::string_view key, uint8_t access) {
  if (sel.allkeys) return true;
  return std::any_of(sel.keys.begin(), sel.keys.end(), [&](const KeyPattern& k) {
    return (k.access & access) == access && GlobMatch(k.pattern, key);
  });
}

// The argv index of the first key the selector does not open, or 0.
size_t DeniedKey(const Selector& sel, const Line& line) {
  const CommandSpec& spec = line.spec;
  if (sel.allkeys || spec.first_key <= 0) return 0;
  int argc = static_cast<int>(line.argv.size());
  int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  int step = std::max(spec.key_step, 1);
  for (int i = spec.first_key; i <= last; i += step) {
    if (!KeyAllowed(sel, line.argv[i], line.key_access)) return static_cast<size_t>(i);
  }
  return 0;
}

// The argv index of the first channel the selector does not open, or 0.
size_t DeniedChannel(const Selector& sel, const Line& line) {
  if (sel.allchannels) return 0;
  std::string_view name = line.spec.name;
  bool publish = name == "publish" || name == "spublish";
  bool pattern = name == "psubscribe";
  if (!publish && !pattern && name != "subscribe" && name != "ssubscribe") return 0;
  size_t end = publish ? std::min<size_t>(line.argv.size(), 2) : line.argv.size();
  for (size_t i = 1; i < end; ++i) {
    if (!SelectorAllowsChannel(sel, line.argv[i], pattern)) return i;
  }
  return 0;
}

Verdict CheckSelector(const Selector& selector, const Line& line) {
  if (!CommandAllowed(selector, line)) return Verdict{Denial::kCommand, 0};
  if (size_t key = DeniedKey(selector, line)) return Verdict{Denial::kKey, key};
  if (size_t channel = DeniedChannel(selector, line)) return Verdict{Denial::kChannel, channel};
  return Verdict{};
}

// Calls `fn` on the root selector, then on each "(...)" selector, until it returns true.
template <typename Fn>
bool AnySelector(const User& user, Fn fn) {
  if (fn(user.root)) return true;
  return std::any_of(user.selectors.begin(), user.selectors.end(), fn);
}

}  // namespace

bool ChannelAllowed(const User& user, std::string_view channel, bool is_pattern) {
  return AnySelector(
      user, [&](const Selector& s) { return SelectorAllowsChannel(s, channel, is_pattern); });
}

bool AllChannels(const User& user) {
  return AnySelector(user, [](const Selector& s) { return s.allchannels; });
}

Verdict Check(const User& user, const CommandSpec& spec, std::span<const std::string_view> argv) {
  Line line = MakeLine(spec, argv);
  Verdict worst{Denial::kCommand, 0};
  bool allowed = AnySelector(user, [&](const Selector& s) {
    Verdict verdict = CheckSelector(s, line);
    if (verdict.denial > worst.denial ||
        (verdict.denial == worst.denial && verdict.arg > worst.arg)) {
      worst = verdict;
    }
    return verdict.denial == Denial::kNone;
  });
  return allowed ? Verdict{} : worst;
}

}  // namespace strongbox::engine::acl
