// Blocking commands (BLPOP, BLMOVE, BLMPOP, BZPOPMIN...): a client whose command cannot be served
// now is parked on its keys, re-run in the order clients blocked when a write touches one of
// them, and answered with a null array at its deadline (Redis's blocked.c).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/server/connection.h"

namespace strongbox::engine {

class BlockedClients {
 public:
  explicit BlockedClients(ConnMap& conns) : conns_(conns) {}

  // Parks c on c.session.block.keys with a copy of the command to re-run.
  void Park(Conn& c, std::span<const std::string_view> argv);
  // Forgets c's parking (no-op if it is not parked).
  void Unpark(Conn& c);
  // A write touched (db, key): clients parked on it are served at the next ServeReady().
  void OnKeyTouched(uint8_t db, std::string_view key);
  // Every parked key of database `db` (-1: of every database) may have changed (SWAPDB).
  void OnDatabaseTouched(int db);

  // Re-runs the parked command of each client whose key became ready, in the order they
  // blocked; `rerun` executes it (it may park the client again, keeping its first deadline, as
  // Redis keeps the timeout). A served command can make other keys ready (BLMOVE pushes), hence
  // rounds, bounded.
  using Rerun = std::function<void(Conn&, std::span<const std::string_view>)>;
  void ServeReady(const Rerun& rerun);
  // Unparks every client whose deadline passed and calls on_timeout for it.
  void ExpireDue(int64_t now_ms, const std::function<void(Conn&)>& on_timeout);

  size_t count() const { return count_; }

 private:
  static std::string KeyName(uint8_t db, std::string_view key);

  ConnMap& conns_;
  absl::flat_hash_map<std::string, std::vector<uint64_t>> by_key_;  // "db:key" -> conns
  std::vector<std::string> ready_keys_;
  size_t count_ = 0;
};

}  // namespace strongbox::engine
