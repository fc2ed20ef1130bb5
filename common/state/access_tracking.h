// Per-key access tracking for maxmemory eviction, as Redis keeps it in an object's lru field:
// a 24-bit clock of seconds (the last access, LRU) and an 8-bit logarithmic access counter
// (LFU) that grows with probability 1/((counter - 5) * log_factor + 1) and decays by one per
// decay_time minutes without access. Every entry carries both; the clock is one per process,
// advanced by the engine's loop (Redis's server.lruclock), so a lookup reads no time.
#pragma once

#include <cstdint>

namespace strongbox::state {

inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;  // Redis's LRU_CLOCK_MAX
inline constexpr uint8_t kLfuInitialCounter = 5;          // Redis's LFU_INIT_VAL
inline constexpr int kLfuLogFactor = 10;                  // lfu-log-factor's default
inline constexpr int kLfuDecayMinutes = 1;                // lfu-decay-time's default

struct AccessClock {
  uint32_t lru_clock_s = 0;  // seconds, modulo 2^24
  bool lfu = false;          // an LFU policy is selected: accesses bump the counter
  uint64_t random_state = 0x9e3779b97f4a7c15ull;
  // A uniform double in [0, 1) (xorshift64*; no need for more for a coin toss).
  double NextRandom() {
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return static_cast<double>((random_state * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
  }
};

// The process's clock (the engine advances it; replay and the snapshotter leave it at 0).
AccessClock& GlobalAccessClock();

inline uint32_t LruClockOf(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax;
}

// Seconds since `stamp`, across one wrap of the 24-bit clock (Redis's estimateObjectIdleTime).
inline uint64_t IdleSeconds(uint32_t clock_s, uint32_t stamp_s) {
  return clock_s >= stamp_s ? clock_s - stamp_s : clock_s + (kLruClockMax - stamp_s);
}

// Redis's LFULogIncr: `random01` is a uniform draw in [0, 1).
inline uint8_t LfuLogIncrement(uint8_t counter, int log_factor, double random01) {
  if (counter == 255) return counter;
  double base = counter > kLfuInitialCounter ? counter - kLfuInitialCounter : 0;
  double p = 1.0 / (base * log_factor + 1);
  return random01 < p ? static_cast<uint8_t>(counter + 1) : counter;
}

// Redis's LFUDecrAndReturn: one step down per `decay_minutes` elapsed (none if 0).
inline uint8_t LfuDecayed(uint8_t counter, uint64_t elapsed_minutes, int decay_minutes) {
  if (decay_minutes <= 0) return counter;
  uint64_t periods = elapsed_minutes / static_cast<uint64_t>(decay_minutes);
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

}  // namespace strongbox::state
