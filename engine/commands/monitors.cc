// What a finished command leaves in the slow log and the latency monitor, and their CONFIG
// parameters with Redis 7.0's ranges and error texts (see monitors.h).
#include "engine/commands/monitors.h"

#include <ctime>
#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kSlowerThan = "slowlog-log-slower-than";
constexpr std::string_view kMaxLen = "slowlog-max-len";
constexpr std::string_view kThreshold = "latency-monitor-threshold";
constexpr std::string_view kRedacted = "(redacted)";

int64_t MinOf(std::string_view name) { return name == kSlowerThan ? -1 : 0; }

}  // namespace

// Passwords never reach the slow log or MONITOR: Redis redacts AUTH's arguments and HELLO's AUTH
// pair. (Argument positions, not flags: only these two commands carry secrets.)
void RedactSecrets(std::vector<std::string>& argv) {
  if (argv.empty()) return;
  if (EqualsIgnoreCase(argv[0], "auth")) {
    for (size_t i = 1; i < argv.size(); ++i) argv[i] = kRedacted;
    return;
  }
  // ACL SETUSER's rules may hold passwords: Redis 7.0 redacts the user name and every rule.
  if (EqualsIgnoreCase(argv[0], "acl") && argv.size() >= 3 &&
      EqualsIgnoreCase(argv[1], "setuser")) {
    for (size_t i = 2; i < argv.size(); ++i) argv[i] = kRedacted;
    return;
  }
  if (!EqualsIgnoreCase(argv[0], "hello")) return;
  // HELLO [protover [AUTH username password] [SETNAME clientname]], walked as Redis does.
  for (size_t i = 2; i < argv.size(); ++i) {
    size_t more = argv.size() - 1 - i;
    if (EqualsIgnoreCase(argv[i], "auth") && more >= 2) {
      argv[i + 1] = kRedacted;
      argv[i + 2] = kRedacted;
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "setname") && more >= 1) {
      ++i;
    } else {
      return;
    }
  }
}

int64_t MonotonicUs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

void RecordCommand(Monitors& monitors, const CommandSpec& spec, const CommandContext& ctx,
                   int64_t duration_us) {
  int64_t unix_time_s = ctx.now_ms / 1000;
  monitors.latency.MaybeAdd((spec.flags & kFast) ? "fast-command" : "command", duration_us / 1000,
                            unix_time_s);
  if (spec.flags & kNoSlowlog) return;
  SlowLog& log = monitors.slowlog;
  if (log.slower_than_us() < 0) return;
  SlowlogEntry entry;
  if (log.WouldLog(duration_us)) {  // copies of the arguments only for an entry that is kept
    entry.unix_time_s = unix_time_s;
    entry.argv = TrimSlowlogArgv(ctx.argv);
    RedactSecrets(entry.argv);
    entry.peer = ctx.client.address;
    entry.client_name = ctx.client.name;
  }
  log.MaybeAdd(duration_us, std::move(entry));
}

const std::vector<std::string_view>& MonitorConfigNames() {
  static const auto* names = new std::vector<std::string_view>{kSlowerThan, kMaxLen, kThreshold};
  return *names;
}

bool IsMonitorConfig(std::string_view lower_name) {
  return lower_name == kSlowerThan || lower_name == kMaxLen || lower_name == kThreshold;
}

std::string MonitorConfigGet(const Monitors& monitors, std::string_view lower_name) {
  if (lower_name == kSlowerThan) return IntToString(monitors.slowlog.slower_than_us());
  if (lower_name == kMaxLen) return IntToString(monitors.slowlog.max_len());
  return IntToString(monitors.latency.threshold_ms());
}

std::string MonitorConfigCheck(std::string_view lower_name, std::string_view value) {
  auto v = ParseInt(value);
  if (!v) return "argument couldn't be parsed into an integer";
  if (*v < MinOf(lower_name)) {
    return absl::StrCat("argument must be between ", MinOf(lower_name), " and ",
                        std::numeric_limits<int64_t>::max(), " inclusive");
  }
  return "";
}

void MonitorConfigSet(Monitors& monitors, std::string_view lower_name, std::string_view value) {
  int64_t v = ParseInt(value).value_or(0);  // checked by MonitorConfigCheck
  if (lower_name == kSlowerThan) return monitors.slowlog.set_slower_than_us(v);
  if (lower_name == kMaxLen) return monitors.slowlog.set_max_len(v);
  monitors.latency.set_threshold_ms(v);
}

}  // namespace strongbox::engine
