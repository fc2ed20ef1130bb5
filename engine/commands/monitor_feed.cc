// MONITOR's reply and line format (the server delivers the lines: monitor_delivery.cc).
#include "engine/commands/monitor_feed.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "engine/commands/monitors.h"

namespace strongbox::engine {
namespace {

// Redis's sdscatrepr: printable bytes as they are, the usual escapes, the rest as \xHH.
void AppendQuoted(std::string* out, std::string_view arg) {
  *out += '"';
  for (unsigned char c : arg) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '"':
        *out += "\\\"";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\a':
        *out += "\\a";
        break;
      case '\b':
        *out += "\\b";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          *out += static_cast<char>(c);
        } else {
          *out += absl::StrFormat("\\x%02x", c);
        }
    }
  }
  *out += '"';
}

}  // namespace

void MonitorCommand(CommandContext& ctx) {
  ctx.server.AddMonitor(ctx.client);
  ctx.reply.SimpleString("OK");
}

std::string MonitorLine(int64_t unix_time_us, int db, std::string_view address,
                        std::span<const std::string_view> argv) {
  std::vector<std::string> args(argv.begin(), argv.end());
  RedactSecrets(args);
  std::string line = absl::StrFormat("%d.%06d [%d %s]", unix_time_us / 1'000'000,
                                     unix_time_us % 1'000'000, db, std::string(address));
  for (const std::string& arg : args) {
    line += ' ';
    AppendQuoted(&line, arg);
  }
  return line;
}

}  // namespace strongbox::engine
