// Keyspace notifications of replicated effects (see replicated_events.h).
#include "engine/replication/replicated_events.h"

#include <string>

#include "absl/strings/ascii.h"
#include "engine/commands/command.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

// An effect Redis's replica would see as the command of the same name, with its event and
// class; `may_empty`: the command removes elements and Redis fires "del" if the key went.
struct EffectEventRow {
  std::string_view effect;
  std::string_view event;
  uint32_t type_class;
  bool may_empty;
};

constexpr EffectEventRow kRows[] = {
    {"SET", "set", kNotifyString, false},
    {"APPEND", "append", kNotifyString, false},
    {"SETRANGE", "setrange", kNotifyString, false},
    {"PEXPIREAT", "expire", kNotifyGeneric, false},
    {"PERSIST", "persist", kNotifyGeneric, false},
    {"HSET", "hset", kNotifyHash, false},
    {"HDEL", "hdel", kNotifyHash, true},
    {"LPUSH", "lpush", kNotifyList, false},
    {"RPUSH", "rpush", kNotifyList, false},
    {"LPOP", "lpop", kNotifyList, true},
    {"RPOP", "rpop", kNotifyList, true},
    {"LSET", "lset", kNotifyList, false},
    {"LTRIM", "ltrim", kNotifyList, true},
    {"LREM", "lrem", kNotifyList, true},
    {"LINSERT", "linsert", kNotifyList, false},
    {"SADD", "sadd", kNotifySet, false},
    {"SREM", "srem", kNotifySet, true},
    {"ZADD", "zadd", kNotifyZset, false},
    {"ZREM", "zrem", kNotifyZset, true},
    {"XADD", "xadd", kNotifyStream, false},
    {"XDEL", "xdel", kNotifyStream, false},
    {"XTRIM", "xtrim", kNotifyStream, false},
};

const EffectEventRow* RowOf(std::string_view effect) {
  for (const EffectEventRow& row : kRows) {
    if (row.effect == effect) return &row;
  }
  return nullptr;
}

// "SET k v PXAT ms": Redis's replica runs that SET and fires "expire" after "set".
bool SetsExpiry(std::span<const std::string_view> effect) {
  return effect.size() >= 5 && absl::AsciiStrToUpper(std::string(effect[3])) == "PXAT";
}

}  // namespace

void NotifyReplicatedEffect(ServerHooks& server, state::State& state, uint8_t db,
                            std::span<const std::string_view> effect) {
  const KeyspaceEvents* events = server.keyspace_events();
  if (events == nullptr || events->flags() == 0 || effect.size() < 2) return;
  std::string_view name = effect[0];
  if (name == "DEL") {  // the primary logs DEL for keys that existed only (expired ones too)
    for (size_t i = 1; i < effect.size(); ++i) {
      NotifyKeyspaceEventIn(server, kNotifyGeneric, "del", db, effect[i]);
    }
    return;
  }
  if (name == "RENAME" && effect.size() == 3) {
    NotifyKeyspaceEventIn(server, kNotifyGeneric, "rename_from", db, effect[1]);
    NotifyKeyspaceEventIn(server, kNotifyGeneric, "rename_to", db, effect[2]);
    return;
  }
  const EffectEventRow* row = RowOf(name);
  if (row == nullptr) return;
  std::string_view key = effect[1];
  NotifyKeyspaceEventIn(server, row->type_class, row->event, db, key);
  if (name == "SET" && SetsExpiry(effect)) {
    NotifyKeyspaceEventIn(server, kNotifyGeneric, "expire", db, key);
  }
  if (row->may_empty && state.db(db).FindRaw(key) == nullptr) {
    NotifyKeyspaceEventIn(server, kNotifyGeneric, "del", db, key);
  }
}

}  // namespace strongbox::engine
