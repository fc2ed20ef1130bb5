// WATCH's registry: which sessions watch which keys, and marking them dirty when a write
// touches one, so their EXEC aborts (the optimistic-locking half of Redis's multi.c).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

class WatchedKeys {
 public:
  // The session must stay alive until UnwatchAll(session) (the server calls it on close).
  void Watch(ClientSession& session, uint8_t db, std::string_view key);
  void UnwatchAll(ClientSession& session);
  // A write touched (db, key): every session watching it gets watch_dirty.
  void Touch(uint8_t db, std::string_view key);
  // FLUSHDB (db) / FLUSHALL (-1): every session watching a key there gets watch_dirty.
  void TouchDb(int db);

 private:
  static std::string KeyName(uint8_t db, std::string_view key);

  absl::flat_hash_map<std::string, std::vector<ClientSession*>> watchers_;  // "db:key"
};

}  // namespace strongbox::engine
