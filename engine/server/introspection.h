// What CLIENT LIST reports about the running engine: a pure function of a snapshot of its
// state, so it can change without touching the loop (INFO: info_sections.h; CONFIG:
// config_registry.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/commands/client_filter.h"
#include "engine/server/config.h"
#include "engine/server/connection.h"

namespace strongbox::engine {

// CLIENT LIST / INFO lines (Redis 7.0's fields) of the connections the filter matches.
std::string ClientListText(const ConnMap& conns, const PubSubRegistry& pubsub,
                           const ClientFilter& filter, int64_t now_ms);

}  // namespace strongbox::engine
