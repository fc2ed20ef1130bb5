// The server's slow log and latency monitor, as commands reach them (ServerHooks::monitors()),
// what a finished command leaves in them, and their CONFIG parameters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/command.h"
#include "engine/commands/latency_monitor.h"
#include "engine/commands/slowlog.h"

namespace strongbox::engine {

struct Monitors {
  SlowLog slowlog;
  LatencyMonitor latency;
};

// A command that ran (not one refused, queued or left blocked) took duration_us: the
// "command" or "fast-command" latency event by its kFast flag, and the slow log unless it is
// flagged kNoSlowlog (EXEC: the commands it ran are logged one by one, as in Redis).
void RecordCommand(Monitors& monitors, const CommandSpec& spec, const CommandContext& ctx,
                   int64_t duration_us);

// CONFIG GET/SET of slowlog-log-slower-than, slowlog-max-len, latency-monitor-threshold.
const std::vector<std::string_view>& MonitorConfigNames();
bool IsMonitorConfig(std::string_view lower_name);
std::string MonitorConfigGet(const Monitors& monitors, std::string_view lower_name);
// Checks the value without applying it: "" if valid, else Redis's CONFIG SET error reason.
std::string MonitorConfigCheck(std::string_view lower_name, std::string_view value);
void MonitorConfigSet(Monitors& monitors, std::string_view lower_name, std::string_view value);

// AUTH's arguments and HELLO's AUTH pair replaced by "(redacted)", as Redis shows them.
void RedactSecrets(std::vector<std::string>& argv);

// CLOCK_MONOTONIC in microseconds: what command and loop-turn durations are measured with.
int64_t MonotonicUs();

}  // namespace strongbox::engine
