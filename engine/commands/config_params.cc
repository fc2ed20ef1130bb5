// Rows of the CONFIG table for state the command layer holds. Ranges are Redis 7.0's.
#include "engine/commands/config_params.h"

#include <string>

#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/monitors.h"
#include "engine/commands/script_host.h"

namespace strongbox::engine {
namespace {

// An integer parameter whose value lives behind get/set; the default is the value now.
ConfigParam IntParam(std::string name, int64_t min, std::function<int64_t()> get,
                     std::function<void(int64_t)> set) {
  ConfigParam p;
  p.name = std::move(name);
  p.type = ConfigType::kInt;
  p.min = min;
  p.get = [get] { return IntToString(get()); };
  p.set = [set](std::string_view v) {
    set(std::stoll(std::string(v)));  // digits in range: checked against the type first
    return std::string();
  };
  p.default_value = p.get();
  return p;
}

void AddMonitorParams(ConfigRegistry& registry, Monitors& m) {
  registry.Add(IntParam(
      "slowlog-log-slower-than", -1, [&m] { return m.slowlog.slower_than_us(); },
      [&m](int64_t v) { m.slowlog.set_slower_than_us(v); }));
  registry.Add(IntParam(
      "slowlog-max-len", 0, [&m] { return m.slowlog.max_len(); },
      [&m](int64_t v) { m.slowlog.set_max_len(v); }));
  registry.Add(IntParam(
      "latency-monitor-threshold", 0, [&m] { return m.latency.threshold_ms(); },
      [&m](int64_t v) { m.latency.set_threshold_ms(v); }));
}

void AddKeyspaceEventsParam(ConfigRegistry& registry, KeyspaceEvents& events) {
  ConfigParam p;
  p.name = "notify-keyspace-events";
  p.type = ConfigType::kSpecial;
  p.get = [&events] { return FormatKeyspaceEventFlags(events.flags()); };
  p.set = [&events](std::string_view v) {
    auto flags = ParseKeyspaceEventFlags(v);
    if (!flags) return std::string(kErrKeyspaceEventClass);
    events.set_flags(*flags);
    return std::string();
  };
  p.default_value = p.get();
  registry.Add(std::move(p));
}

}  // namespace

void AddCommandConfigParams(ConfigRegistry& registry, Monitors* monitors, KeyspaceEvents* events) {
  if (monitors != nullptr) AddMonitorParams(registry, *monitors);
  if (events != nullptr) AddKeyspaceEventsParam(registry, *events);
  // Milliseconds a script runs before other clients get BUSY (scripting_commands.cc).
  ConfigParam busy =
      IntParam("busy-reply-threshold", 0, BusyReplyThresholdMs, SetBusyReplyThresholdMs);
  busy.aliases = {"lua-time-limit"};
  registry.Add(std::move(busy));
}

}  // namespace strongbox::engine
