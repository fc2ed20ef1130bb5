// SLOWLOG and LATENCY: Redis 7.0's subcommands, replies and error texts over the server's
// slow log and latency monitor (monitors.h).
#include "absl/strings/str_cat.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/monitors.h"

namespace strongbox::engine {
namespace {

void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

void SubcommandArity(CommandContext& ctx, const char* command) {
  ctx.reply.Error(absl::StrCat("ERR wrong number of arguments for '", command, "|",
                               ToLower(ctx.argv[1]), "' command"));
}

void UnknownSubcommand(CommandContext& ctx, const char* command) {
  ctx.reply.Error(absl::StrCat("ERR unknown subcommand '", std::string(ctx.argv[1].substr(0, 128)),
                               "'. Try ", command, " HELP."));
}

// Without a server (test fakes) there is nothing to report.
Monitors* MonitorsOrError(CommandContext& ctx) {
  Monitors* m = ctx.server.monitors();
  if (m == nullptr) ctx.reply.Error("ERR no slow log or latency monitor in this process");
  return m;
}

void ReplyEntry(CommandContext& ctx, const SlowlogEntry& e) {
  ctx.reply.ArrayHeader(6);
  ctx.reply.Integer(static_cast<int64_t>(e.id));
  ctx.reply.Integer(e.unix_time_s);
  ctx.reply.Integer(e.duration_us);
  ctx.reply.ArrayHeader(static_cast<int64_t>(e.argv.size()));
  for (const std::string& arg : e.argv) ctx.reply.Bulk(arg);
  ctx.reply.Bulk(e.peer);
  ctx.reply.Bulk(e.client_name);
}

void SlowlogGet(CommandContext& ctx, const SlowLog& log) {
  if (ctx.argv.size() > 3) {
    return ctx.reply.Error(absl::StrCat("ERR unknown subcommand or wrong number of arguments for '",
                                        std::string(ctx.argv[1].substr(0, 128)),
                                        "'. Try SLOWLOG HELP."));
  }
  int64_t count = 10;
  if (ctx.argv.size() == 3) {
    auto v = ParseInt(ctx.argv[2]);
    if (!v || *v < -1) return ctx.reply.Error("ERR count should be greater than or equal to -1");
    count = *v;
  }
  const auto& entries = log.entries();
  size_t n = entries.size();
  if (count >= 0 && static_cast<uint64_t>(count) < n) n = static_cast<size_t>(count);
  ctx.reply.ArrayHeader(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; ++i) ReplyEntry(ctx, entries[i]);
}

void Slowlog(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "help") {
    if (ctx.argv.size() != 2) return SubcommandArity(ctx, "slowlog");
    return ReplyHelp(
        ctx, {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
              "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
              "    Entries are made of:",
              "    id, timestamp, time in microseconds, arguments array, client IP and port,",
              "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
              "    Reset the slowlog.", "HELP", "    Prints this help."});
  }
  if (sub != "get" && sub != "len" && sub != "reset") return UnknownSubcommand(ctx, "SLOWLOG");
  if (sub != "get" && ctx.argv.size() != 2) return SubcommandArity(ctx, "slowlog");
  Monitors* m = MonitorsOrError(ctx);
  if (m == nullptr) return;
  if (sub == "get") return SlowlogGet(ctx, m->slowlog);
  if (sub == "len") return ctx.reply.Integer(static_cast<int64_t>(m->slowlog.entries().size()));
  m->slowlog.Reset();
  ctx.reply.SimpleString("OK");
}

void LatencyLatest(CommandContext& ctx, const LatencyMonitor& latency) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(latency.events().size()));
  for (const auto& [event, series] : latency.events()) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(event);
    ctx.reply.Integer(series.latest().unix_time_s);
    ctx.reply.Integer(series.latest().latency_ms);
    ctx.reply.Integer(series.max_ms());
  }
}

void LatencyHistory(CommandContext& ctx, const LatencyMonitor& latency) {
  const LatencySeries* series = latency.Find(ctx.argv[2]);
  if (series == nullptr) return ctx.reply.ArrayHeader(0);
  auto samples = series->History();
  ctx.reply.ArrayHeader(static_cast<int64_t>(samples.size()));
  for (const LatencySample& s : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(s.unix_time_s);
    ctx.reply.Integer(s.latency_ms);
  }
}

// Not Redis's ASCII chart: the same header line, then the samples one per line.
void LatencyGraph(CommandContext& ctx, const LatencyMonitor& latency) {
  const LatencySeries* series = latency.Find(ctx.argv[2]);
  if (series == nullptr) {
    return ctx.reply.Error(absl::StrCat("ERR No samples available for event '",
                                        std::string(ctx.argv[2].substr(0, 128)), "'"));
  }
  auto samples = series->History();
  int64_t high = 0, low = samples.empty() ? 0 : samples.front().latency_ms;
  for (const LatencySample& s : samples) {
    high = std::max(high, s.latency_ms);
    low = std::min(low, s.latency_ms);
  }
  std::string text = absl::StrCat(std::string(ctx.argv[2]), " - high ", high, " ms, low ", low,
                                  " ms (all time high ", series->max_ms(), " ms)\n");
  for (const LatencySample& s : samples) {
    absl::StrAppend(&text, "unix time ", s.unix_time_s, ": ", s.latency_ms, " ms\n");
  }
  ctx.reply.Verbatim(text);
}

// A summary of what was measured; no advice (Redis's doctor reasons about its own internals).
void LatencyDoctor(CommandContext& ctx, const LatencyMonitor& latency) {
  if (latency.threshold_ms() == 0) {
    return ctx.reply.Verbatim(
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
        "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order "
        "to enable it. If we weren't in a deep space mission I'd suggest to take a look at "
        "https://redis.io/topics/latency-monitor.\n");
  }
  if (latency.events().empty()) {
    return ctx.reply.Verbatim(
        absl::StrCat("No latency spike of ", latency.threshold_ms(),
                     " ms or more was observed since the monitor was last reset or enabled.\n"));
  }
  std::string text = absl::StrCat("Latency spikes of ", latency.threshold_ms(), " ms or more:\n");
  for (const auto& [event, series] : latency.events()) {
    absl::StrAppend(&text, "- ", event, ": ", series.History().size(), " samples, latest ",
                    series.latest().latency_ms, " ms, all time high ", series.max_ms(), " ms\n");
  }
  ctx.reply.Verbatim(text);
}

void LatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                  "    Return a human readable latency analysis report.", "GRAPH <event>",
                  "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
                  "    Return time-latency samples for the <event> class.", "LATEST",
                  "    Return the latest latency samples for all events.", "RESET [<event> ...]",
                  "    Reset latency data of one or more <event> classes.",
                  "    (default: reset all data for all event classes)", "HELP",
                  "    Prints this help."});
}

// Redis 7.0's arity per subcommand: N exact, -N at least N.
int LatencyArity(std::string_view sub) {
  if (sub == "graph" || sub == "history") return 3;
  if (sub == "reset") return -2;
  if (sub == "doctor" || sub == "latest" || sub == "help") return 2;
  return 0;  // unknown (HISTOGRAM too: per-command histograms are not kept)
}

void Latency(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  int arity = LatencyArity(sub);
  if (arity == 0) return UnknownSubcommand(ctx, "LATENCY");
  if (arity > 0 ? ctx.argv.size() != static_cast<size_t>(arity)
                : ctx.argv.size() < static_cast<size_t>(-arity)) {
    return SubcommandArity(ctx, "latency");
  }
  if (sub == "help") return LatencyHelp(ctx);
  Monitors* m = MonitorsOrError(ctx);
  if (m == nullptr) return;
  LatencyMonitor& latency = m->latency;
  if (sub == "latest") return LatencyLatest(ctx, latency);
  if (sub == "history") return LatencyHistory(ctx, latency);
  if (sub == "graph") return LatencyGraph(ctx, latency);
  if (sub == "doctor") return LatencyDoctor(ctx, latency);
  size_t resets = 0;
  if (ctx.argv.size() == 2) resets = latency.ResetAll();
  for (size_t i = 2; i < ctx.argv.size(); ++i) resets += latency.Reset(ctx.argv[i]);
  ctx.reply.Integer(static_cast<int64_t>(resets));
}

}  // namespace

void RegisterMonitorCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  // kNoReplicaAck (command.h): timings of commands, not the keyspace (SLOWLOG GET shows the
  // arguments a client sent, which says nothing of whether its write was acknowledged).
  r.Add({"slowlog", -2, kAdmin | kNoReplicaAck, 0, 0, 0, Slowlog});
  r.Add({"latency", -2, kAdmin | kNoReplicaAck, 0, 0, 0, Latency});
}

}  // namespace strongbox::engine
