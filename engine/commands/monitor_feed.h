// MONITOR: the command, and the line each monitoring client receives per command, in Redis's
// format: +1700000000.123456 [0 127.0.0.1:1234] "set" "k" "v"
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "engine/commands/command.h"

namespace strongbox::engine {

void MonitorCommand(CommandContext& ctx);

// The line without its "+" and CRLF; arguments quoted and escaped as Redis's sdscatrepr does,
// AUTH / HELLO passwords redacted.
std::string MonitorLine(int64_t unix_time_us, int db, std::string_view address,
                        std::span<const std::string_view> argv);

}  // namespace strongbox::engine
