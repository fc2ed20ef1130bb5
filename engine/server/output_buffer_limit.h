// client-output-buffer-limit: Redis's per-class limits on a client's unsent output, its
// CONFIG GET text and CONFIG SET parsing. The engine enforces the pubsub class (a slow
// subscriber is disconnected); normal and replica are reported and stored as given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strongbox::engine {

// A redis.conf memory value: "1gb" = 1024^3, "1g" = 1000^3 (kb, mb, gb, k, m, g, b, any case);
// negative or malformed: nullopt. Also maxmemory's parser (memory_config.cc).
std::optional<int64_t> ParseMemory(std::string_view text);

struct OutputBufferLimit {
  int64_t hard_bytes = 0;  // 0 = none: beyond it the client is disconnected at once
  int64_t soft_bytes = 0;  // 0 = none: disconnected when above it for soft_seconds
  int64_t soft_seconds = 0;
};

struct OutputBufferLimits {
  enum Class { kNormal = 0, kReplica = 1, kPubSub = 2 };
  // Redis's defaults.
  std::array<OutputBufferLimit, 3> by_class = {OutputBufferLimit{0, 0, 0},
                                               OutputBufferLimit{256ll << 20, 64ll << 20, 60},
                                               OutputBufferLimit{32ll << 20, 8ll << 20, 60}};

  const OutputBufferLimit& pubsub() const { return by_class[kPubSub]; }
  // "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
  std::string ToConfigText() const;
  // "<class> <hard> <soft> <seconds>"..., memory units as in redis.conf (1k, 1kb, 1mb, ...).
  // All or nothing: on a bad value returns false with Redis's reason in *error.
  bool Set(std::string_view text, std::string* error);
};

}  // namespace strongbox::engine
