// maxmemory parameters (see memory_config.h).
#include "engine/server/memory_config.h"

#include <array>
#include <utility>

#include "engine/commands/command_util.h"
#include "engine/server/output_buffer_limit.h"

namespace strongbox::engine {
namespace {

constexpr std::array<std::pair<std::string_view, EvictionPolicy>, 8> kPolicies = {{
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"noeviction", EvictionPolicy::kNoEviction},
}};

}  // namespace

std::string_view PolicyName(EvictionPolicy policy) {
  for (const auto& [name, p] : kPolicies) {
    if (p == policy) return name;
  }
  return "noeviction";
}

bool IsLfu(EvictionPolicy policy) {
  return policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu;
}

bool IsVolatile(EvictionPolicy policy) {
  return policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kVolatileLfu ||
         policy == EvictionPolicy::kVolatileRandom || policy == EvictionPolicy::kVolatileTtl;
}

bool SetMaxmemory(MemoryLimits* limits, std::string_view value, std::string* error) {
  std::optional<int64_t> bytes = ParseMemory(value);
  if (!bytes) {
    *error = "argument must be a memory value";
    return false;
  }
  limits->maxmemory_bytes = static_cast<uint64_t>(*bytes);
  return true;
}

bool SetMaxmemoryPolicy(MemoryLimits* limits, std::string_view value, std::string* error) {
  std::string lower = ToLower(value);
  for (const auto& [name, p] : kPolicies) {
    if (name == lower) {
      limits->policy = p;
      return true;
    }
  }
  *error =
      "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
      "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction";
  return false;
}

bool SetMaxmemorySamples(MemoryLimits* limits, std::string_view value, std::string* error) {
  std::optional<int64_t> parsed = ParseInt(value);
  if (!parsed) {
    *error = "argument couldn't be parsed into an integer";
    return false;
  }
  int64_t samples = *parsed;
  if (samples < 1 || samples > INT32_MAX) {
    *error = "argument must be between 1 and 2147483647 inclusive";
    return false;
  }
  limits->samples = static_cast<int>(samples);
  return true;
}

}  // namespace strongbox::engine
