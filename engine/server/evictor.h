// maxmemory eviction (Redis's performEvictions): before a command that may grow memory runs
// while used memory is over maxmemory, keys are evicted until it is under, chosen by the
// policy from samples kept in an eviction pool. Each eviction is a DEL effect in the record of
// the command that caused it, so replay and the snapshotter drop the same keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/command.h"
#include "engine/server/memory_config.h"
#include "engine/server/used_memory.h"

namespace strongbox::engine {

// The best eviction candidates sampled so far (Redis's EVPOOL_SIZE of them), kept across
// rounds so that each round's few samples refine one ranking.
class EvictionPool {
 public:
  static constexpr size_t kCapacity = 16;
  struct Candidate {
    uint64_t score = 0;  // higher is evicted first (idle seconds, 255 - LFU, time to expiry)
    int db = 0;
    std::string key;
  };
  // Keeps the candidate if the pool has room or it beats the lowest score (a key already in
  // the pool is not added twice).
  void Offer(uint64_t score, int db, std::string_view key);
  // Takes the highest-scored candidate out; nullopt when the pool is empty.
  std::optional<Candidate> TakeBest();
  size_t size() const { return candidates_.size(); }

 private:
  std::vector<Candidate> candidates_;  // ascending score
};

class Evictor {
 public:
  // Evicts until `gauge` reads at most limits.maxmemory_bytes; false if that was not reached
  // (noeviction, or nothing left to evict). Effects go to `effects`; keyspace events, WATCH
  // and blocked clients learn through `hooks` as for any DEL.
  bool FreeMemoryIfNeeded(state::State& state, EffectSink& effects, ServerHooks& hooks,
                          const MemoryLimits& limits, UsedMemoryGauge& gauge, int64_t now_ms,
                          int64_t now_us);
  uint64_t evicted_keys() const { return evicted_keys_; }

 private:
  struct Victim {
    int db;
    std::string key;
  };
  std::optional<Victim> PickVictim(state::State& state, const MemoryLimits& limits);
  std::optional<Victim> PickRandom(state::State& state, bool volatile_only);
  void FillPool(state::State& state, const MemoryLimits& limits);
  uint64_t Random();

  EvictionPool pool_;
  int next_random_db_ = 0;
  uint64_t random_state_ = 0x2545f4914f6cdd1dull;
  uint64_t evicted_keys_ = 0;
};

}  // namespace strongbox::engine
