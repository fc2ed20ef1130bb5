// Key positions: the registered range, and the rules of the commands whose keys move.
#include "engine/commands/command_keys.h"

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kBadArgs = "Invalid arguments specified for command";
constexpr std::string_view kBadCount = "Invalid number of arguments specified for command";

const absl::flat_hash_map<std::string, MovableKeys>& MovableTable() {
  static const auto* table = new absl::flat_hash_map<std::string, MovableKeys>{
      {"eval", {0, 2, false, false, true}},
      {"evalsha", {0, 2, false, false, true}},
      {"eval_ro", {0, 2, false, false, true}},
      {"evalsha_ro", {0, 2, false, false, true}},
      {"fcall", {0, 2, false, false, true}},
      {"fcall_ro", {0, 2, false, false, true}},
      {"zunion", {0, 1}},
      {"zinter", {0, 1}},
      {"zdiff", {0, 1}},
      {"zintercard", {0, 1}},
      {"sintercard", {0, 1}},
      {"lmpop", {0, 1}},
      {"zmpop", {0, 1}},
      {"blmpop", {0, 2}},
      {"bzmpop", {0, 2}},
      {"zunionstore", {1, 2}},
      {"zinterstore", {1, 2}},
      {"zdiffstore", {1, 2}},
      {"xread", {0, 0, true}},
      {"xreadgroup", {0, 0, true}},
      {"sort", {1, 0, false, true}},
      {"sort_ro", {1}},
      {"georadius", {1, 0, false, true}},
      {"georadiusbymember", {1, 0, false, true}},
  };
  return *table;
}

void NumKeys(const MovableKeys& rule, std::span<const std::string_view> argv, KeyPositions* out) {
  size_t at = static_cast<size_t>(rule.numkeys_at);
  auto n = at < argv.size() ? ParseInt(argv[at]) : std::nullopt;
  if (rule.keys_optional && (!n || *n <= 0 || static_cast<size_t>(*n) > argv.size() - at - 1)) {
    return;  // scripts: a bad numkeys names no keys (the command itself will refuse)
  }
  if (!n || *n < 1 || static_cast<size_t>(*n) > argv.size() - at - 1) {
    out->error = kBadArgs;
    return;
  }
  for (size_t i = 0; i < static_cast<size_t>(*n); ++i) out->indexes.push_back(at + 1 + i);
}

void Streams(std::span<const std::string_view> argv, KeyPositions* out) {
  for (size_t i = 1; i < argv.size(); ++i) {
    if (!EqualsIgnoreCase(argv[i], "streams")) continue;
    size_t rest = argv.size() - i - 1;
    if (rest == 0 || rest % 2 != 0) break;
    for (size_t k = 0; k < rest / 2; ++k) out->indexes.push_back(i + 1 + k);
    return;
  }
  out->error = kBadCount;
}

void Store(std::span<const std::string_view> argv, KeyPositions* out) {
  for (size_t i = 2; i + 1 < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "store") || EqualsIgnoreCase(argv[i], "storedist")) {
      out->indexes.push_back(i + 1);
      return;
    }
  }
}

}  // namespace

const MovableKeys* MovableKeysOf(std::string_view name) {
  auto it = MovableTable().find(std::string(name));
  return it == MovableTable().end() ? nullptr : &it->second;
}

KeyPositions FindKeys(const CommandSpec& spec, std::span<const std::string_view> argv) {
  KeyPositions out;
  const MovableKeys* rule = MovableKeysOf(spec.name);
  if (rule == nullptr) {
    if (spec.first_key <= 0) return out;
    int last = spec.last_key < 0 ? static_cast<int>(argv.size()) + spec.last_key : spec.last_key;
    for (int i = spec.first_key; i <= last && i < static_cast<int>(argv.size());
         i += spec.key_step) {
      out.indexes.push_back(static_cast<size_t>(i));
    }
    return out;
  }
  if (rule->fixed_key > 0 && static_cast<size_t>(rule->fixed_key) < argv.size()) {
    out.indexes.push_back(static_cast<size_t>(rule->fixed_key));
  }
  if (rule->numkeys_at > 0) NumKeys(*rule, argv, &out);
  if (rule->streams) Streams(argv, &out);
  if (rule->store) Store(argv, &out);
  return out;
}

}  // namespace strongbox::engine
