// Key positions and flags: Redis 7.0's key-spec search, and the rules it falls back to when a
// spec is incomplete, has variable flags or does not match the arguments.
#include "engine/commands/command_keys.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/util/ascii.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

struct RowIndex {
  absl::flat_hash_map<std::string, const CommandKeySpecs*> by_name;
  // a container's subcommands
  absl::flat_hash_map<std::string, std::vector<const CommandKeySpecs*>> containers;
};

const RowIndex& Rows() {
  static const RowIndex* rows = [] {
    auto* out = new RowIndex();
    for (const CommandKeySpecs& row : AllCommandKeySpecs()) {
      out->by_name.emplace(row.name, &row);
      size_t bar = row.name.find('|');
      if (bar != std::string_view::npos) {
        out->containers[std::string(row.name.substr(0, bar))].push_back(&row);
      }
    }
    return out;
  }();
  return *rows;
}

// ---- the key-spec search (Redis's getKeysUsingKeySpecs) -----------------------------------

// Where a keyword spec's keys begin: after the keyword, searched forwards from begin_at or
// backwards from the end; 0 when the keyword is absent.
int KeywordStart(const KeySpec& spec, std::span<const std::string_view> argv) {
  int argc = static_cast<int>(argv.size());
  int start = spec.begin_at > 0 ? spec.begin_at : argc + spec.begin_at;
  int end = spec.begin_at > 0 ? argc - 1 : 1;
  for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (EqualsIgnoreCase(argv[static_cast<size_t>(i)], spec.keyword)) return i + 1;
  }
  return 0;
}

// Appends the keys one spec names; false when the spec cannot place them (the caller falls
// back to the command's rule). A keyword that is absent names no key.
bool SpecKeys(const KeySpec& spec, std::span<const std::string_view> argv,
              std::vector<KeyRef>* out) {
  int argc = static_cast<int>(argv.size());
  int first = 0, last = 0, step = 1;
  if (spec.begin == kBeginIndex) {
    first = spec.begin_at;
  } else if (spec.begin == kBeginKeyword) {
    first = KeywordStart(spec, argv);
    if (first == 0) return true;
  } else {
    return false;
  }
  if (spec.find == kFindRange) {
    auto [lastkey, keystep, limit] = spec.find_args;
    step = keystep;
    if (lastkey >= 0) {
      last = first + lastkey;
    } else {
      last = limit == 0 ? argc + lastkey : first + ((argc - first) / limit + lastkey);
    }
  } else if (spec.find == kFindKeynum) {
    auto [keynumidx, firstkey, keystep] = spec.find_args;
    step = keystep;
    size_t at = static_cast<size_t>(first + keynumidx);
    std::optional<int64_t> numkeys = at < argv.size() ? ParseInt(argv[at]) : std::nullopt;
    if (!numkeys || *numkeys < 0 || *numkeys > INT_MAX / 2) return false;
    first += firstkey;
    last = first + static_cast<int>(*numkeys) - 1;
  } else {
    return false;
  }
  if (last >= argc || last < first || first >= argc || step < 1) return false;
  for (int i = first; i <= last; i += step) {
    out->push_back({static_cast<size_t>(i), spec.flags});
  }
  return !(spec.flags & kKeyIncomplete);
}

// ---- the fallback rules (Redis's getkeys procs) ------------------------------------------

enum class Rule : uint8_t { kNumkeys, kSort, kSortRo, kGeoradius, kXread, kSet, kBitfield };

struct RuleRow {
  Rule rule;
  int store_at = 0;  // kNumkeys: a destination key at this index (0 = none)
  int numkeys_at = 0;
  int first_key_at = 0;
  bool keys_optional = false;  // scripts and functions may name no key
};

const RuleRow* RuleOf(std::string_view name) {
  static const auto* rules = new absl::flat_hash_map<std::string, RuleRow>{
      {"eval", {Rule::kNumkeys, 0, 2, 3, true}},
      {"evalsha", {Rule::kNumkeys, 0, 2, 3, true}},
      {"eval_ro", {Rule::kNumkeys, 0, 2, 3, true}},
      {"evalsha_ro", {Rule::kNumkeys, 0, 2, 3, true}},
      {"fcall", {Rule::kNumkeys, 0, 2, 3, true}},
      {"fcall_ro", {Rule::kNumkeys, 0, 2, 3, true}},
      {"zunion", {Rule::kNumkeys, 0, 1, 2}},
      {"zinter", {Rule::kNumkeys, 0, 1, 2}},
      {"zdiff", {Rule::kNumkeys, 0, 1, 2}},
      {"zintercard", {Rule::kNumkeys, 0, 1, 2}},
      {"sintercard", {Rule::kNumkeys, 0, 1, 2}},
      {"lmpop", {Rule::kNumkeys, 0, 1, 2}},
      {"zmpop", {Rule::kNumkeys, 0, 1, 2}},
      {"blmpop", {Rule::kNumkeys, 0, 2, 3}},
      {"bzmpop", {Rule::kNumkeys, 0, 2, 3}},
      {"zunionstore", {Rule::kNumkeys, 1, 2, 3}},
      {"zinterstore", {Rule::kNumkeys, 1, 2, 3}},
      {"zdiffstore", {Rule::kNumkeys, 1, 2, 3}},
      {"sort", {Rule::kSort}},
      {"sort_ro", {Rule::kSortRo}},
      {"georadius", {Rule::kGeoradius}},
      {"georadiusbymember", {Rule::kGeoradius}},
      {"xread", {Rule::kXread}},
      {"xreadgroup", {Rule::kXread}},
      {"set", {Rule::kSet}},
      {"bitfield", {Rule::kBitfield}},
  };
  auto it = rules->find(std::string(name));
  return it == rules->end() ? nullptr : &it->second;
}

// C's atoi, which Redis's numkeys rule uses ("2x" is 2, "x" is 0).
int64_t LeadingInt(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = i < s.size() && s[i] == '-';
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  int64_t value = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && value < INT_MAX; ++i) {
    value = value * 10 + (s[i] - '0');
  }
  return negative ? -value : value;
}

void NumkeysRule(const RuleRow& row, std::span<const std::string_view> argv,
                 std::vector<KeyRef>* out) {
  if (static_cast<size_t>(row.numkeys_at) >= argv.size()) return;  // arity rules it out
  int64_t num = LeadingInt(argv[static_cast<size_t>(row.numkeys_at)]);
  int64_t room = static_cast<int64_t>(argv.size()) - row.first_key_at;
  if (num < 1 || num > room) return;  // the command itself will answer a syntax error
  for (int64_t i = 0; i < num; ++i) out->push_back({static_cast<size_t>(row.first_key_at + i), 0});
  if (row.store_at > 0) out->push_back({static_cast<size_t>(row.store_at), 0});
}

// SORT key [BY p] [LIMIT o c] [GET p ...] [STORE dst]: the last STORE names the destination.
void SortRule(std::span<const std::string_view> argv, std::vector<KeyRef>* out) {
  out->push_back({1, kKeyRO | kKeyAccess});
  std::optional<size_t> store;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "get") || EqualsIgnoreCase(argv[i], "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(argv[i], "store") && i + 1 < argv.size()) {
      store = i + 1;
    }
  }
  if (store) out->push_back({*store, kKeyOW | kKeyUpdate});
}

void GeoradiusRule(std::span<const std::string_view> argv, std::vector<KeyRef>* out) {
  out->push_back({1, 0});
  std::optional<size_t> store;
  for (size_t i = 5; i + 1 < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "store") || EqualsIgnoreCase(argv[i], "storedist")) {
      store = ++i;
    }
  }
  if (store) out->push_back({*store, 0});
}

// XREAD / XREADGROUP [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS key... id...
void XreadRule(std::span<const std::string_view> argv, std::vector<KeyRef>* out) {
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (EqualsIgnoreCase(arg, "block") || EqualsIgnoreCase(arg, "count")) {
      ++i;
    } else if (EqualsIgnoreCase(arg, "group")) {
      i += 2;
    } else if (!EqualsIgnoreCase(arg, "noack")) {
      if (!EqualsIgnoreCase(arg, "streams")) return;
      size_t rest = argv.size() - i - 1;
      if (rest == 0 || rest % 2 != 0) return;
      for (size_t k = 0; k < rest / 2; ++k) out->push_back({i + 1 + k, 0});
      return;
    }
  }
}

// SET reads the old value only with GET; BITFIELD writes unless every operation is a GET.
uint16_t SetFlags(std::span<const std::string_view> argv) {
  for (size_t i = 3; i < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "get")) return kKeyRW | kKeyAccess | kKeyUpdate;
  }
  return kKeyOW | kKeyUpdate;
}

uint16_t BitfieldFlags(std::span<const std::string_view> argv) {
  constexpr uint16_t kWrites = kKeyRW | kKeyAccess | kKeyUpdate;
  for (size_t i = 2; i < argv.size(); ++i) {
    size_t remaining = argv.size() - i - 1;
    if (EqualsIgnoreCase(argv[i], "get") && remaining >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "overflow") && remaining >= 1) {
      i += 1;
    } else {
      return kWrites;  // SET, INCRBY, or a syntax error: assume a write
    }
  }
  return kKeyRO | kKeyAccess;
}

std::vector<KeyRef> RuleKeys(const RuleRow& row, std::span<const std::string_view> argv) {
  std::vector<KeyRef> out;
  switch (row.rule) {
    case Rule::kNumkeys:
      NumkeysRule(row, argv, &out);
      break;
    case Rule::kSort:
      SortRule(argv, &out);
      break;
    case Rule::kSortRo:
      out.push_back({1, kKeyRO | kKeyAccess});
      break;
    case Rule::kGeoradius:
      GeoradiusRule(argv, &out);
      break;
    case Rule::kXread:
      XreadRule(argv, &out);
      break;
    case Rule::kSet:
      out.push_back({1, SetFlags(argv)});
      break;
    case Rule::kBitfield:
      out.push_back({1, BitfieldFlags(argv)});
      break;
  }
  return out;
}

uint16_t AnySpecFlags(const CommandKeySpecs& row, bool inverted) {
  uint16_t flags = 0;
  for (const KeySpec& spec : row.specs) flags |= inverted ? ~spec.flags : spec.flags;
  return flags;
}

// Redis's legacy (first, last, step) range, glued from the plain range specs (index + range,
// step 1, consecutive), and whether the specs place keys the range cannot (movablekeys).
struct LegacyRange {
  KeyRange range;
  bool movable = false;
};

LegacyRange Legacy(const CommandKeySpecs& row) {
  auto plain = [](const KeySpec& spec) {
    return spec.begin == kBeginIndex && spec.find == kFindRange;
  };
  auto absolute_last = [](const KeySpec& spec) {
    return spec.find_args[0] >= 0 ? spec.begin_at + spec.find_args[0] : spec.find_args[0];
  };
  LegacyRange out;
  if (row.specs.empty()) return out;
  const KeySpec& only = row.specs[0];
  if (row.specs.size() == 1 && plain(only)) {
    out.range = {only.begin_at, absolute_last(only), only.find_args[1]};
    out.movable = only.flags & kKeyIncomplete;
    return out;
  }
  int first = INT_MAX;
  unsigned last = 0;  // unsigned: a negative last (counted from the end) is the highest
  for (const KeySpec& spec : row.specs) {
    bool glues = plain(spec) && spec.find_args[1] == 1 &&
                 (last == 0 || static_cast<int>(last) == spec.begin_at - 1);
    out.movable |= !glues || (spec.flags & kKeyIncomplete);
    if (!glues) continue;
    first = std::min(first, spec.begin_at);
    last = std::max(last, static_cast<unsigned>(absolute_last(spec)));
  }
  if (first == INT_MAX) {
    out.movable = true;
    return out;
  }
  out.range = {first, static_cast<int>(last), 1};
  return out;
}

}  // namespace

const CommandKeySpecs* FindKeySpecs(std::string_view name) {
  auto it = Rows().by_name.find(ToLower(name));
  return it == Rows().by_name.end() ? nullptr : it->second;
}

std::span<const CommandKeySpecs* const> SubcommandKeySpecs(std::string_view container) {
  auto it = Rows().containers.find(ToLower(container));
  if (it == Rows().containers.end()) return {};
  return it->second;
}

KeyRange LegacyKeyRange(const CommandKeySpecs& row) { return Legacy(row).range; }

const CommandKeySpecs* FindKeySpecsOfLine(std::span<const std::string_view> argv) {
  std::string name = ToLower(argv[0]);
  if (argv.size() >= 2 && Rows().containers.contains(name)) {
    return FindKeySpecs(absl::StrCat(name, "|", absl::string_view(argv[1].data(), argv[1].size())));
  }
  return FindKeySpecs(name);
}

bool HasMovableKeys(const CommandKeySpecs& row) { return Legacy(row).movable; }

bool KeysOptional(std::string_view name) {
  const RuleRow* rule = RuleOf(name);
  return rule != nullptr && rule->keys_optional;
}

bool MayHaveKeys(const CommandKeySpecs& row) {
  return RuleOf(row.name) != nullptr || (AnySpecFlags(row, true) & kKeyNotKey);
}

std::vector<KeyRef> FindKeys(const CommandKeySpecs& row, std::span<const std::string_view> argv) {
  bool has_key_spec = AnySpecFlags(row, true) & kKeyNotKey;
  bool variable_flags = AnySpecFlags(row, false) & kKeyVariableFlags;
  if (has_key_spec && !variable_flags) {
    std::vector<KeyRef> keys;
    bool complete = true;
    for (const KeySpec& spec : row.specs) {
      if (spec.flags & kKeyNotKey) continue;
      complete = SpecKeys(spec, argv, &keys);
      if (!complete) break;
    }
    if (complete) return keys;
  }
  const RuleRow* rule = RuleOf(row.name);
  return rule == nullptr ? std::vector<KeyRef>{} : RuleKeys(*rule, argv);
}

KeyPositions FindKeys(const CommandSpec& spec, std::span<const std::string_view> argv) {
  KeyPositions out;
  const CommandKeySpecs* row = argv.empty() ? nullptr : FindKeySpecsOfLine(argv);
  if (row != nullptr) {
    for (const KeyRef& key : FindKeys(*row, argv)) out.indexes.push_back(key.index);
    return out;
  }
  if (spec.first_key <= 0) return out;
  int argc = static_cast<int>(argv.size());
  int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  for (int i = spec.first_key; i <= last && i < argc; i += std::max(spec.key_step, 1)) {
    out.indexes.push_back(static_cast<size_t>(i));
  }
  return out;
}

}  // namespace strongbox::engine
