// The CONFIG parameters the command layer owns (slow log, latency monitor, keyspace
// notifications, busy scripts), as rows of the server's ConfigRegistry.
#pragma once

#include "engine/server/config_registry.h"

namespace strongbox::engine {

struct Monitors;
class KeyspaceEvents;

// Either pointer may be null (test fakes): its rows are then left out.
void AddCommandConfigParams(ConfigRegistry& registry, Monitors* monitors, KeyspaceEvents* events);

}  // namespace strongbox::engine
