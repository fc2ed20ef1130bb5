// maxmemory eviction (see evictor.h).
#include "engine/server/evictor.h"

#include <algorithm>

#include "common/state/state.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

// What an expiry index node costs besides its key bytes (std::set node with a pair inside).
constexpr size_t kExpiryIndexNodeBytes = 64;
// Volatile sampling draws from the whole table: this many draws per sample wanted at most, so
// a database with few keys with an expiry does not make a round scan it.
constexpr int kVolatileDrawsPerSample = 16;
// Rounds of sampling before giving up on finding a key that still exists.
constexpr int kPickRounds = 16;

uint64_t Score(const state::Entry& e, EvictionPolicy policy, const state::AccessClock& clock) {
  if (IsLfu(policy)) return 255 - e.lfu_counter(clock);
  return e.idle_seconds(clock);
}

// Bytes freeing the entry gives back, as far as the allocator's figure is concerned.
size_t EntryBytes(const state::Entry& e) {
  size_t bytes = e.node_bytes() + e.value_heap_bytes() + sizeof(state::Entry*);
  if (e.expire_at_ms() != 0) bytes += kExpiryIndexNodeBytes + e.key().size();
  return bytes;
}

}  // namespace

void EvictionPool::Offer(uint64_t score, int db, std::string_view key) {
  for (const Candidate& c : candidates_) {
    if (c.db == db && c.key == key) return;
  }
  if (candidates_.size() == kCapacity) {
    if (score <= candidates_.front().score) return;
    candidates_.erase(candidates_.begin());
  }
  auto at = std::upper_bound(candidates_.begin(), candidates_.end(), score,
                             [](uint64_t s, const Candidate& c) { return s < c.score; });
  candidates_.insert(at, Candidate{score, db, std::string(key)});
}

std::optional<EvictionPool::Candidate> EvictionPool::TakeBest() {
  if (candidates_.empty()) return std::nullopt;
  Candidate best = std::move(candidates_.back());
  candidates_.pop_back();
  return best;
}

uint64_t Evictor::Random() {
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return random_state_ * 0x2545f4914f6cdd1dull;
}

void Evictor::FillPool(state::State& state, const MemoryLimits& limits) {
  const state::AccessClock& clock = state::GlobalAccessClock();
  bool volatile_only = IsVolatile(limits.policy);
  for (int dbi = 0; dbi < state::kDatabaseCount; ++dbi) {
    state::Db& db = state.db(dbi);
    if (db.size() == 0 || (volatile_only && db.expires() == 0)) continue;
    if (limits.policy == EvictionPolicy::kVolatileTtl) {
      // The expiry index is ordered: its head holds exactly the nearest expiries.
      int64_t taken = 0;
      for (const auto& [at_ms, key] : db.expiry_index()) {
        if (taken++ == limits.samples) break;
        pool_.Offer(UINT64_MAX - static_cast<uint64_t>(std::max<int64_t>(at_ms, 0)), dbi, key);
      }
      continue;
    }
    int64_t found = 0;
    int64_t draws = int64_t{limits.samples} * (volatile_only ? kVolatileDrawsPerSample : 1);
    for (int64_t i = 0; i < draws && found < limits.samples; ++i) {
      const state::Entry* e = db.table().RandomEntry([this] { return Random(); });
      if (volatile_only && e->expire_at_ms() == 0) continue;
      ++found;
      pool_.Offer(Score(*e, limits.policy, clock), dbi, e->key());
    }
    if (volatile_only && found == 0) {  // few volatile keys among many: take the nearest
      const std::string& key = db.expiry_index().begin()->second;
      if (const state::Entry* e = db.FindRaw(key)) {
        pool_.Offer(Score(*e, limits.policy, clock), dbi, key);
      }
    }
  }
}

std::optional<Evictor::Victim> Evictor::PickRandom(state::State& state, bool volatile_only) {
  for (int i = 0; i < state::kDatabaseCount; ++i) {
    int dbi = next_random_db_;
    next_random_db_ = (next_random_db_ + 1) % state::kDatabaseCount;
    state::Db& db = state.db(dbi);
    if (!volatile_only) {
      if (db.size() == 0) continue;
      const state::Entry* e = db.table().RandomEntry([this] { return Random(); });
      return Victim{dbi, std::string(e->key())};
    }
    if (db.expires() == 0) continue;
    for (int draw = 0; draw < kVolatileDrawsPerSample; ++draw) {
      const state::Entry* e = db.table().RandomEntry([this] { return Random(); });
      if (e->expire_at_ms() != 0) return Victim{dbi, std::string(e->key())};
    }
    return Victim{dbi, db.expiry_index().begin()->second};
  }
  return std::nullopt;
}

std::optional<Evictor::Victim> Evictor::PickVictim(state::State& state,
                                                   const MemoryLimits& limits) {
  switch (limits.policy) {
    case EvictionPolicy::kNoEviction:
      return std::nullopt;
    case EvictionPolicy::kAllKeysRandom:
      return PickRandom(state, false);
    case EvictionPolicy::kVolatileRandom:
      return PickRandom(state, true);
    default:
      break;
  }
  for (int round = 0; round < kPickRounds; ++round) {
    FillPool(state, limits);
    if (pool_.size() == 0) return std::nullopt;  // nothing evictable
    // A candidate may have gone (deleted, or evicted) since it was pooled: skip it.
    while (std::optional<EvictionPool::Candidate> best = pool_.TakeBest()) {
      state::Entry* e = state.db(best->db).FindRaw(best->key);
      if (e == nullptr) continue;
      if (IsVolatile(limits.policy) && e->expire_at_ms() == 0) continue;  // PERSISTed since
      return Victim{best->db, std::move(best->key)};
    }
  }
  return std::nullopt;
}

bool Evictor::FreeMemoryIfNeeded(state::State& state, EffectSink& effects, ServerHooks& hooks,
                                 const MemoryLimits& limits, UsedMemoryGauge& gauge, int64_t now_ms,
                                 int64_t now_us) {
  if (limits.maxmemory_bytes == 0) return true;
  size_t used = gauge.Read(now_us);
  if (used <= limits.maxmemory_bytes) return true;
  size_t to_free = used - limits.maxmemory_bytes;
  size_t freed = 0;
  while (freed < to_free) {
    std::optional<Victim> victim = PickVictim(state, limits);
    if (!victim) return false;
    size_t bytes = EntryBytes(*state.db(victim->db).FindRaw(victim->key));
    ClientSession session;
    session.db = static_cast<uint8_t>(victim->db);
    std::string unused_reply;
    RespWriter writer(&unused_reply);
    CommandContext ctx{{}, session, state, writer, effects, hooks, now_ms};
    Apply(ctx, {"DEL", victim->key});
    NotifyKeyspaceEvent(ctx, kNotifyEvicted, "evicted", victim->key);
    freed += bytes;
    gauge.Discount(bytes);
    ++evicted_keys_;
  }
  return true;
}

}  // namespace strongbox::engine
