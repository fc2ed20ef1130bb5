// The permission check of one command line against each selector of a user: the command (or
// subcommand, or allowed first argument), then its keys with the access the command needs, then
// its channels.
#include <algorithm>
#include <optional>
#include <vector>

#include "common/util/ascii.h"
#include "engine/acl/acl_categories.h"
#include "engine/acl/acl_user.h"
#include "engine/commands/command_keys.h"
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

constexpr uint8_t kR = kKeyRead, kW = kKeyWrite, kRW = kKeyRead | kKeyWrite;

// Commands whose first key (in argument order) needs other access than the rest, as their Redis
// 7.0 key specs say: a source read and a destination written, or the other way round.
struct SplitAccess {
  std::string_view name;
  uint8_t first, rest;
};
constexpr SplitAccess kSplitAccess[] = {
    {"copy", kR, kW},
    {"rename", kRW, kW},
    {"renamenx", kRW, kW},
    {"smove", kRW, kW},
    {"lmove", kRW, kW},
    {"blmove", kRW, kW},
    {"rpoplpush", kRW, kW},
    {"brpoplpush", kRW, kW},
    {"sort", kR, kW},
    {"georadius", kR, kW},
    {"georadiusbymember", kR, kW},
    {"sinterstore", kW, kR},
    {"sunionstore", kW, kR},
    {"sdiffstore", kW, kR},
    {"zinterstore", kW, kR},
    {"zunionstore", kW, kR},
    {"zdiffstore", kW, kR},
    {"zrangestore", kW, kR},
    {"geosearchstore", kW, kR},
    {"bitop", kW, kR},
    {"pfmerge", kRW, kR},
};

// One command line and what every selector is asked about it, worked out once.
struct Line {
  const CommandSpec& spec;
  std::span<const std::string_view> argv;
  size_t unit;                  // the command or subcommand it runs
  std::vector<size_t> keys;     // argv indexes of its keys, in order
  std::vector<uint8_t> access;  // what it does to each key (0: only names it, as TYPE)
};

// Fills in the keys of the line and the access each needs.
void FindKeysOf(Line& line) {
  const CommandSpec& spec = line.spec;
  line.keys = FindKeys(spec, line.argv).indexes;
  std::sort(line.keys.begin(), line.keys.end());
  uint8_t access = VariableKeyAccess(spec.name, line.argv).value_or(Units()[line.unit].key_access);
  line.access.assign(line.keys.size(), access);
  for (const SplitAccess& split : kSplitAccess) {
    if (split.name != spec.name || line.keys.empty()) continue;
    std::fill(line.access.begin(), line.access.end(), split.rest);
    line.access[0] = split.first;
  }
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
  if (sel.allkeys) return 0;
  for (size_t i = 0; i < line.keys.size(); ++i) {
    if (!KeyAllowed(sel, line.argv[line.keys[i]], line.access[i])) return line.keys[i];
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
  Line line{spec, argv, UnitOf(spec, argv), {}, {}};
  // The common case, a user open to every key and channel, needs no key lookup.
  const Selector& root = user.root;
  if (root.allkeys && root.allchannels && CommandAllowed(root, line)) return Verdict{};
  FindKeysOf(line);
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
