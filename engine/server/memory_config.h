// maxmemory, maxmemory-policy and maxmemory-samples: their values, Redis's parsing and error
// texts, one setter per parameter (flags at start-up and CONFIG SET share them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strongbox::engine {

enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};
std::string_view PolicyName(EvictionPolicy policy);
bool IsLfu(EvictionPolicy policy);
bool IsVolatile(EvictionPolicy policy);  // only keys with an expiry are candidates

struct MemoryLimits {
  uint64_t maxmemory_bytes = 0;  // 0 = no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;  // keys sampled per database and round (Redis's maxmemory-samples)
};

// The setters: false with *error set to Redis's CONFIG SET text when the value is refused.
bool SetMaxmemory(MemoryLimits* limits, std::string_view value, std::string* error);
bool SetMaxmemoryPolicy(MemoryLimits* limits, std::string_view value, std::string* error);
bool SetMaxmemorySamples(MemoryLimits* limits, std::string_view value, std::string* error);

}  // namespace strongbox::engine
