// The command registry: each family adds its commands (Register<Family>Commands at the end of
// its <family>_commands.cc); the dispatcher and COMMAND look them up here.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

class CommandRegistry {
 public:
  // Lookups lower-case the name into a stack buffer of this size: no allocation per command.
  static constexpr size_t kNameBytesMax = 32;

  // Adds one command. A malformed spec stops the process (the specs are code, not input): an
  // empty, upper-case, too long or duplicate name, arity 0, no handler, kWrite with kReadonly,
  // kDenyOom or kMayBlock without kWrite, kNoMulti with kWrite or kReadonly, key positions
  // without kWrite or kReadonly (kNoMulti aside: WATCH names keys but touches no data).
  void Add(const CommandSpec& spec);
  // Case-insensitive; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // In registration order (COMMAND lists them so).
  std::span<const CommandSpec> all() const { return specs_; }

 private:
  std::vector<CommandSpec> specs_;
  absl::flat_hash_map<std::string, size_t> index_;  // name -> position in specs_
};

// One per family; Commands() calls each once.
void RegisterConnectionCommands(CommandRegistry& r);
void RegisterClientCommands(CommandRegistry& r);
void RegisterServerCommands(CommandRegistry& r);
void RegisterStringCommands(CommandRegistry& r);
void RegisterBitmapCommands(CommandRegistry& r);
void RegisterBitfieldCommands(CommandRegistry& r);
void RegisterHyperLogLogCommands(CommandRegistry& r);
void RegisterKeyCommands(CommandRegistry& r);
void RegisterHashCommands(CommandRegistry& r);
void RegisterListCommands(CommandRegistry& r);
void RegisterSetCommands(CommandRegistry& r);
void RegisterZsetCommands(CommandRegistry& r);
void RegisterAdminCommands(CommandRegistry& r);
void RegisterTransactionCommands(CommandRegistry& r);
void RegisterPubSubCommands(CommandRegistry& r);
void RegisterMonitorCommands(CommandRegistry& r);
void RegisterScriptingCommands(CommandRegistry& r);
void RegisterGeoCommands(CommandRegistry& r);
void RegisterFunctionCommands(CommandRegistry& r);
void RegisterStreamCommands(CommandRegistry& r);
void RegisterDumpCommands(CommandRegistry& r);
void RegisterAclCommands(CommandRegistry& r);          // engine/acl/acl_commands.cc
void RegisterPersistenceCommands(CommandRegistry& r);  // BGSAVE, SAVE, LASTSAVE, BGREWRITEAOF
void RegisterStreamGroupCommands(CommandRegistry& r);
void RegisterReplicationCommands(CommandRegistry& r);  // engine/replication/

// Every command of every family, registered on first use and never changed afterwards.
const CommandRegistry& Commands();

inline const CommandSpec* FindCommand(std::string_view name) { return Commands().Find(name); }
inline std::span<const CommandSpec> AllCommands() { return Commands().all(); }

}  // namespace strongbox::engine
