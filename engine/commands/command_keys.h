// Where a command's keys are in its arguments: the registered range (first, last, step), and
// for the commands whose keys move (numkeys, STREAMS, STORE) the rule that finds them. COMMAND
// INFO's key specs and movablekeys flag and COMMAND GETKEYS read this.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/command.h"

namespace strongbox::engine {

// How a movable-key command names its keys.
struct MovableKeys {
  int fixed_key = 0;           // a key at this index besides the others (ZUNIONSTORE's destination)
  int numkeys_at = 0;          // the index of numkeys, 0 = none; the keys follow it
  bool streams = false;        // XREAD / XREADGROUP: the first half after STREAMS
  bool store = false;          // SORT / GEORADIUS: the argument after STORE / STOREDIST
  bool keys_optional = false;  // EVAL / FCALL: numkeys may be 0 (Redis's no_mandatory_keys)
};

// nullptr for a command whose keys are the registered range.
const MovableKeys* MovableKeysOf(std::string_view name);

// The indexes of the keys in argv (argv[0] = the command), or Redis's error text: "Invalid
// arguments specified for command" (bad numkeys), "Invalid number of arguments specified for
// command" (STREAMS with an odd tail).
struct KeyPositions {
  std::vector<size_t> indexes;
  std::string error;
};
KeyPositions FindKeys(const CommandSpec& spec, std::span<const std::string_view> argv);

}  // namespace strongbox::engine
