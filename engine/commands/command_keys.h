// Where a command's keys are in its arguments and how it uses each: Redis 7.0's key specs
// (command_key_specs.cc, data, one row per command or "parent|sub" subcommand), and for the
// commands whose specs cannot say it all (numkeys of 0, SORT's STORE, SET's GET) the rules
// Redis falls back to. COMMAND INFO's key specs and movablekeys flag and COMMAND GETKEYS /
// GETKEYSANDFLAGS read this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/commands/command.h"

namespace strongbox::engine {

// How a command uses a key (Redis's CMD_KEY_*), in the order COMMAND reports them.
enum KeyFlag : uint16_t {
  kKeyRO = 1u << 0,  // reads the value
  kKeyRW = 1u << 1,  // reads and changes the value
  kKeyOW = 1u << 2,  // overwrites the value without reading it
  kKeyRM = 1u << 3,  // removes the key
  kKeyAccess = 1u << 4,
  kKeyUpdate = 1u << 5,
  kKeyInsert = 1u << 6,
  kKeyDelete = 1u << 7,
  kKeyNotKey = 1u << 8,          // a name in the key's position that is no key (sharded channels)
  kKeyIncomplete = 1u << 9,      // the spec may miss keys: the fallback rule finds them
  kKeyVariableFlags = 1u << 10,  // the flags depend on the arguments: the fallback rule says
};

enum BeginSearchType : uint8_t { kBeginIndex, kBeginKeyword, kBeginUnknown };
enum FindKeysType : uint8_t { kFindRange, kFindKeynum, kFindUnknown };

struct KeySpec {
  uint16_t flags;  // KeyFlag
  BeginSearchType begin;
  int begin_at;              // index: the position; keyword: where the search starts (<0: back)
  std::string_view keyword;  // keyword: the argument the keys follow
  FindKeysType find;
  // range: lastkey (relative to the first key; <0 from the end), keystep, limit;
  // keynum: keynumidx (relative to the begin), firstkey (relative), keystep.
  int find_args[3];
  std::string_view notes = {};
};

// What COMMAND INFO reports beyond the registry: the key specs, the tips (cluster routing
// hints), and for a subcommand, which the registry does not hold, its arity and flags.
struct CommandKeySpecs {
  std::string_view name;  // "get", "object|encoding"
  int arity;              // Redis's
  std::span<const KeySpec> specs;
  std::string_view tips = {};  // space-separated ("request_policy:all_shards ...")
  uint32_t flags = 0;          // a subcommand's CommandFlag bits (command.h)
};

// Every row (command_key_specs.cc).
std::span<const CommandKeySpecs> AllCommandKeySpecs();

// The row of a command or "parent|sub" subcommand (case-insensitive); nullptr if none.
const CommandKeySpecs* FindKeySpecs(std::string_view name);

// The rows of a container's subcommands, in table order (empty for other commands).
std::span<const CommandKeySpecs* const> SubcommandKeySpecs(std::string_view container);

// Redis's legacy (first, last, step) key range from the specs, as COMMAND INFO shows it for a
// subcommand; all 0 when the specs have no plain range.
struct KeyRange {
  int first = 0;
  int last = 0;
  int step = 0;
};
KeyRange LegacyKeyRange(const CommandKeySpecs& row);

// The row of a command line (argv[0] = the command): a container's subcommand ("object
// encoding k") has its own; nullptr when the command or the subcommand is unknown.
const CommandKeySpecs* FindKeySpecsOfLine(std::span<const std::string_view> argv);

// Redis's movablekeys: the specs alone (index + range, consecutive) do not place every key.
bool HasMovableKeys(const CommandKeySpecs& row);

// Redis's no_mandatory_keys (EVAL, FCALL...): naming no key is valid.
bool KeysOptional(std::string_view name);

// Whether COMMAND GETKEYS may find keys at all (a spec that is a key, or a fallback rule).
bool MayHaveKeys(const CommandKeySpecs& row);

// The keys of argv (argv[0] = the command, argv[1] = the subcommand of a container) and how
// each is used, as COMMAND GETKEYSANDFLAGS reports them; empty when none is found (Redis then
// answers "Invalid arguments specified for command" unless the keys are optional).
struct KeyRef {
  size_t index;
  uint16_t flags;  // KeyFlag
};
std::vector<KeyRef> FindKeys(const CommandKeySpecs& row, std::span<const std::string_view> argv);

// The argv indexes of the keys of a command line of `spec` (the ACL's key checks): FindKeys on
// the line's row, or the registered range for a line no row describes.
struct KeyPositions {
  std::vector<size_t> indexes;
};
KeyPositions FindKeys(const CommandSpec& spec, std::span<const std::string_view> argv);

}  // namespace strongbox::engine
