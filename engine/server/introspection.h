// What INFO, CONFIG GET and CLIENT LIST report about the running engine: pure functions of a
// snapshot of its state, so they can change without touching the loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/commands/client_filter.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/snapshot_requests.h"
#include "engine/server/config.h"
#include "engine/server/connection.h"
#include "engine/server/engine_metrics.h"

namespace strongbox::engine {

struct InfoInputs {
  const EngineConfig& config;
  const DurableLog& log;
  const ServerCounters& counters;
  size_t connected_clients;
  size_t blocked_clients;
  size_t clients_waiting_durability;
  uint64_t fsyncs;
  double fsync_seconds_total;
  int64_t started_ms;
  int64_t now_ms;
  const PubSubRegistry& pubsub;
  size_t lazyfree_pending_objects = 0;
  uint64_t lazyfreed_objects = 0;
  BackgroundSaveStatus bgsave;  // rdb_* and aof_rewrite_in_progress
};

// One INFO section ("" / all / everything / default = every section), Redis's text layout.
std::string InfoText(std::string_view section, const InfoInputs& in);
// CONFIG GET of a server-owned parameter; false if unknown.
bool ServerConfigGet(const EngineConfig& config, std::string_view name, std::string* value);
// CLIENT LIST / INFO lines (Redis 7.0's fields) of the connections the filter matches.
std::string ClientListText(const ConnMap& conns, const PubSubRegistry& pubsub,
                           const ClientFilter& filter, int64_t now_ms);

}  // namespace strongbox::engine
