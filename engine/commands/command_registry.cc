// The command registry: the checks every spec must pass, the case-insensitive lookup, and the
// one place where all families register.
#include "engine/commands/command_registry.h"

#include <cctype>
#include <string>

#include "common/util/check.h"

namespace strongbox::engine {

void CommandRegistry::Add(const CommandSpec& spec) {
  std::string name(spec.name);
  SB_CHECK(!name.empty() && name.size() <= kNameBytesMax, "bad command name '%s'", name.c_str());
  for (char c : name) {
    SB_CHECK(!std::isupper(static_cast<unsigned char>(c)), "'%s' is not lower case", name.c_str());
  }
  SB_CHECK(spec.arity != 0 && spec.handler != nullptr, "'%s' lacks an arity or a handler",
           name.c_str());
  bool write = spec.flags & kWrite, readonly = spec.flags & kReadonly;
  SB_CHECK(!(write && readonly), "'%s' is flagged both write and readonly", name.c_str());
  SB_CHECK(write || !(spec.flags & kDenyOom), "'%s': denyoom only makes sense on a write",
           name.c_str());
  // A read may block too (XREAD waits for entries, as in Redis).
  SB_CHECK(write || readonly || !(spec.flags & kMayBlock),
           "'%s': may-block only makes sense on a command that reads or writes data", name.c_str());
  SB_CHECK(!(spec.flags & kNoMulti) || !(write || readonly),
           "'%s': a transaction control command reads and writes no data", name.c_str());
  SB_CHECK(spec.first_key == 0 || write || readonly || (spec.flags & kNoMulti),
           "'%s' names keys, so it must be flagged write or readonly", name.c_str());
  bool added = index_.emplace(name, specs_.size()).second;
  SB_CHECK(added, "'%s' is registered twice", name.c_str());
  specs_.push_back(spec);
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  char lower[kNameBytesMax];
  if (name.size() > sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  // absl::string_view: Debian's Abseil has its own, and the map's heterogeneous lookup takes it.
  auto it = index_.find(absl::string_view(lower, name.size()));
  return it == index_.end() ? nullptr : &specs_[it->second];
}

const CommandRegistry& Commands() {
  static const CommandRegistry* registry = [] {
    auto* r = new CommandRegistry();
    RegisterConnectionCommands(*r);
    RegisterClientCommands(*r);
    RegisterServerCommands(*r);
    RegisterStringCommands(*r);
    RegisterBitmapCommands(*r);
    RegisterBitfieldCommands(*r);
    RegisterHyperLogLogCommands(*r);
    RegisterKeyCommands(*r);
    RegisterHashCommands(*r);
    RegisterListCommands(*r);
    RegisterSetCommands(*r);
    RegisterZsetCommands(*r);
    RegisterAdminCommands(*r);
    RegisterTransactionCommands(*r);
    RegisterPubSubCommands(*r);
    RegisterMonitorCommands(*r);
    RegisterScriptingCommands(*r);
    RegisterGeoCommands(*r);
    RegisterFunctionCommands(*r);
    RegisterStreamCommands(*r);
    RegisterDumpCommands(*r);
    RegisterAclCommands(*r);
    RegisterPersistenceCommands(*r);
    RegisterStreamGroupCommands(*r);
    RegisterReplicationCommands(*r);
    return r;
  }();
  return *registry;
}

}  // namespace strongbox::engine
