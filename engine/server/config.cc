// Flag definitions and validation for strongbox-engine.
#include "engine/server/config.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/server/config_registry.h"

namespace strongbox::engine {

void AddEngineFlags(CLI::App& app, EngineConfig* c) {
  app.add_option("--dir", c->dir, "Persistence directory")->envname("STRONGBOX_DIR");
  app.add_option("--bind", c->bind, "Listen address (0.0.0.0 to expose)")
      ->envname("STRONGBOX_BIND");
  app.add_option("--port", c->port, "RESP port (0 = none: TLS only)")->envname("STRONGBOX_PORT");
  app.add_option("--metrics-port", c->metrics_port,
                 "HTTP port for /metrics /healthz /readyz (0 = off)")
      ->envname("STRONGBOX_METRICS_PORT");
  app.add_option("--fsync", c->fsync,
                 "always: replies wait until durable; interval: replies not held")
      ->envname("STRONGBOX_FSYNC");
  app.add_option("--log-sync", c->log_sync,
                 "fdatasync: a write linked to an fdatasync; dsync-write: one RWF_DSYNC write")
      ->envname("STRONGBOX_LOG_SYNC");
  app.add_option("--log-io", c->log_io,
                 "buffered: log writes through the page cache; direct: O_DIRECT block writes")
      ->envname("STRONGBOX_LOG_IO");
  app.add_option("--log-batches-in-flight", c->log_batches_in_flight,
                 "always mode: batches written and fdatasynced at once (1..4; 1 with "
                 "--log-io direct)")
      ->envname("STRONGBOX_LOG_BATCHES_IN_FLIGHT");
  app.add_option("--flush-interval-ms", c->flush_interval_ms,
                 "interval mode: longest time between write+fdatasync")
      ->envname("PERSIST_FLUSH_INTERVAL_MS");
  app.add_option("--batch-capacity", c->batch_capacity,
                 "interval mode: flush as soon as this many records are pending")
      ->envname("PERSIST_BATCH_CAPACITY");
  app.add_option("--segment-bytes", c->segment_bytes, "Rotate the active segment at this size")
      ->envname("STRONGBOX_SEGMENT_BYTES");
  app.add_option("--rotate-interval", c->rotate_interval_s,
                 "Seconds; rotate a segment that holds records this often")
      ->envname("STRONGBOX_ROTATE_INTERVAL");
  app.add_option("--save-timeout-ms", c->save_timeout_ms,
                 "SAVE fails after waiting this long for the snapshotter's snapshot")
      ->envname("STRONGBOX_SAVE_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--load-threads", c->load_threads,
                 "Threads decoding the snapshot at start (0: min(cores, 4); 1: one thread)")
      ->envname("STRONGBOX_LOAD_THREADS")
      ->check(CLI::Range(0, 64));
  app.add_option("--requirepass", c->requirepass, "Password for AUTH")
      ->envname("STRONGBOX_REQUIREPASS");
  app.add_option("--requirepass-file", c->requirepass_file, "File holding the AUTH password")
      ->envname("STRONGBOX_REQUIREPASS_FILE");
  app.add_option("--aclfile", c->aclfile, "ACL users file (ACL LOAD / ACL SAVE)")
      ->envname("STRONGBOX_ACLFILE");
  app.add_option("--maxclients", c->maxclients, "Connections beyond this are refused")
      ->envname("STRONGBOX_MAXCLIENTS");
  app.add_option("--proto-max-bulk-len", c->bulk_bytes_max, "Largest bulk argument, bytes")
      ->envname("STRONGBOX_PROTO_MAX_BULK_LEN");
  app.add_option("--client-query-buffer-limit", c->query_buffer_bytes_max,
                 "Largest unparsed input per client, bytes")
      ->envname("STRONGBOX_CLIENT_QUERY_BUFFER_LIMIT");
  app.add_option("--client-output-buffer-limit", c->output_buffer_bytes_max,
                 "Pending replies per client beyond which its input is paused, bytes")
      ->envname("STRONGBOX_CLIENT_OUTPUT_BUFFER_LIMIT");
  app.add_option("--config", c->config_file,
                 "Redis-syntax config file (flags override it; CONFIG REWRITE writes it)")
      ->envname("STRONGBOX_CONFIG");
  app.add_option("--maxmemory", c->maxmemory,
                 "Used memory limit, bytes or with a unit (100mb, 1gb); 0 = none")
      ->envname("STRONGBOX_MAXMEMORY");
  app.add_option("--maxmemory-policy", c->maxmemory_policy,
                 "noeviction (writes refused), allkeys-|volatile- lru, lfu, random; volatile-ttl")
      ->envname("STRONGBOX_MAXMEMORY_POLICY");
  app.add_option("--maxmemory-samples", c->maxmemory_samples,
                 "Keys sampled per database and eviction round")
      ->envname("STRONGBOX_MAXMEMORY_SAMPLES");
  AddTlsFlags(app, &c->tls);
  AddReplicationFlags(app, &c->replication);
}

namespace {

// A config file directive that sets a flag's field: name, flag, and how to take the value.
struct FlagDirective {
  std::string_view name;
  std::string_view flag;
  std::function<bool(std::string_view, EngineConfig*)> apply;  // false: not a valid value
};

template <typename T>
bool ParseNumber(std::string_view v, T* out, bool memory) {
  std::optional<int64_t> n = memory ? ParseMemoryValue(v) : std::nullopt;
  int64_t plain = 0;
  if (!memory && absl::SimpleAtoi(absl::string_view(v.data(), v.size()), &plain)) n = plain;
  if (!n) return false;
  *out = static_cast<T>(*n);
  return true;
}

bool ParsePort(std::string_view v, int* port) {
  return ParseNumber(v, port, false) && *port >= 0 && *port <= 65535;
}

// The replication directives CONFIG REWRITE writes (the role) or a person does, under Redis
// 7.0's names and their slave- aliases; the flags on the command line win.
std::vector<FlagDirective>* WithReplicationDirectives(std::vector<FlagDirective>* table) {
  const FlagDirective directives[] = {
      {"replicaof", "--replicaof",
       [](auto v, auto* c) { return ParseReplicaofDirective(v, &c->replication.replicaof); }},
      {"replica-announce-ip", "--replica-announce-ip",
       [](auto v, auto* c) {
         c->replication.announce_ip = std::string(v);
         return true;
       }},
      {"replica-announce-port", "--replica-announce-port",
       [](auto v, auto* c) { return ParsePort(v, &c->replication.announce_port); }},
  };
  static constexpr std::string_view kAliases[] = {"slaveof", "slave-announce-ip",
                                                  "slave-announce-port"};
  for (size_t i = 0; i < std::size(directives); ++i) {
    table->push_back(directives[i]);
    table->push_back({kAliases[i], directives[i].flag, directives[i].apply});
  }
  return table;
}

std::vector<FlagDirective>* WithTlsDirectives(std::vector<FlagDirective>* table) {
  table->push_back({"tls-port", "--tls-port",
                    [](auto v, auto* c) { return ParseNumber(v, &c->tls.port, false); }});
  for (const TlsTextFlag& f : TlsTextFlags()) {
    table->push_back({f.flag + 2, f.flag, [field = f.field](auto v, auto* c) {
                        c->tls.*field = std::string(v);
                        return true;
                      }});
  }
  return table;
}

const std::vector<FlagDirective>& FlagDirectives() {
  static const auto* table =
      WithReplicationDirectives(WithTlsDirectives(new std::vector<FlagDirective>{
          {"port", "--port", [](auto v, auto* c) { return ParseNumber(v, &c->port, false); }},
          {"bind", "--bind", [](auto v, auto* c) { return !(c->bind = std::string(v)).empty(); }},
          {"dir", "--dir", [](auto v, auto* c) { return !(c->dir = std::string(v)).empty(); }},
          {"requirepass", "--requirepass",
           [](auto v, auto* c) {
             c->requirepass = std::string(v);
             return true;
           }},
          {"maxclients", "--maxclients",
           [](auto v, auto* c) { return ParseNumber(v, &c->maxclients, false); }},
          {"proto-max-bulk-len", "--proto-max-bulk-len",
           [](auto v, auto* c) { return ParseNumber(v, &c->bulk_bytes_max, true); }},
          {"client-query-buffer-limit", "--client-query-buffer-limit",
           [](auto v, auto* c) { return ParseNumber(v, &c->query_buffer_bytes_max, true); }},
          {"appendfsync", "--fsync",
           [](auto v, auto* c) {
             c->fsync = v == "everysec" ? "interval" : std::string(v);
             return v == "always" || v == "everysec";
           }},
      }));
  return *table;
}

bool FlagGiven(const CLI::App& app, std::string_view flag) {
  const CLI::Option* option = app.get_option_no_throw(std::string(flag));
  return option != nullptr && option->count() > 0;
}

}  // namespace

absl::Status LoadConfigFile(const CLI::App& app, EngineConfig* c) {
  if (c->config_file.empty()) return absl::OkStatus();
  std::ifstream in(c->config_file);
  if (!in) return absl::InvalidArgumentError("invalid --config: cannot read " + c->config_file);
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    auto directive = ParseConfigLine(line);
    if (!directive) continue;
    const auto& [name, value] = *directive;
    auto it = std::find_if(FlagDirectives().begin(), FlagDirectives().end(),
                           [&](const FlagDirective& d) { return d.name == name; });
    if (it == FlagDirectives().end()) {
      c->config_file_settings.emplace_back(name, value);
      continue;
    }
    bool overridden =
        FlagGiven(app, it->flag) || (name == "requirepass" && FlagGiven(app, "--requirepass-file"));
    EngineConfig scratch;
    if (!it->apply(value, overridden ? &scratch : c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --config ", c->config_file, " line ", line_no, ": '", line, "'"));
    }
  }
  return absl::OkStatus();
}

namespace {

// A flag with two spellings: sets *mode from the one `value` names; false for anything else.
template <typename Mode>
bool PickMode(std::string_view value, std::pair<std::string_view, Mode> first,
              std::pair<std::string_view, Mode> second, Mode* mode) {
  if (value != first.first && value != second.first) return false;
  *mode = value == first.first ? first.second : second.second;
  return true;
}

}  // namespace

absl::Status ValidateConfig(EngineConfig* c) {
  auto bad = [](std::string_view flag, std::string_view fix) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", std::string(flag), ": ", std::string(fix)));
  };
  if (c->dir.empty()) return bad("--dir", "give the persistence directory");
  if (c->port < 0 || c->port > 65535) return bad("--port", "use 1..65535, or 0 for none");
  if (c->port == 0 && !c->tls.enabled()) {
    return bad("--port", "0 (no plain listener) needs --tls-port: give at least one listener");
  }
  if (auto s = ValidateTlsOptions(c->tls); !s.ok()) return s;
  if (c->metrics_port < 0 || c->metrics_port > 65535) {
    return bad("--metrics-port", "use 1..65535, or 0 to disable");
  }
  if (c->fsync == "always") {
    c->fsync_mode = FsyncMode::kAlways;
  } else if (c->fsync == "interval") {
    c->fsync_mode = FsyncMode::kInterval;
  } else {
    return bad("--fsync", "use 'always' or 'interval'");
  }
  if (!PickMode(c->log_sync, {"fdatasync", LogSync::kFdatasync},
                {"dsync-write", LogSync::kDsyncWrite}, &c->log_sync_mode)) {
    return bad("--log-sync", "use 'fdatasync' or 'dsync-write'");
  }
  if (!PickMode(c->log_io, {"buffered", LogIo::kBuffered}, {"direct", LogIo::kDirect},
                &c->log_io_mode)) {
    return bad("--log-io", "use 'buffered' or 'direct'");
  }
  if (c->log_batches_in_flight < 1 || c->log_batches_in_flight > 4) {
    return bad("--log-batches-in-flight", "use 1..4");
  }
  if (c->flush_interval_ms < 1 || c->flush_interval_ms > 60'000) {
    return bad("--flush-interval-ms (PERSIST_FLUSH_INTERVAL_MS)", "use 1..60000");
  }
  if (c->batch_capacity < 1 || c->batch_capacity > 10'000'000) {
    return bad("--batch-capacity (PERSIST_BATCH_CAPACITY)", "use 1..10000000");
  }
  if (c->segment_bytes < 4096 || c->segment_bytes > (64ull << 30)) {
    return bad("--segment-bytes", "use 4096..68719476736 (default 67108864)");
  }
  if (c->rotate_interval_s < 1 || c->rotate_interval_s > 86'400) {
    return bad("--rotate-interval", "use 1..86400 seconds");
  }
  if (c->maxclients < 1 || c->maxclients > 1'000'000) return bad("--maxclients", "use 1..1000000");
  // A value must fit a node (32-bit sizes, state::kStringBytesMax).
  if (c->bulk_bytes_max < 1024 || c->bulk_bytes_max > int64_t{UINT32_MAX}) {
    return bad("--proto-max-bulk-len", "use 1024..4294967295");
  }
  if (c->query_buffer_bytes_max < 1024 * 1024) {
    return bad("--client-query-buffer-limit", "use at least 1048576");
  }
  if (c->output_buffer_bytes_max < 64 * 1024) {
    return bad("--client-output-buffer-limit", "use at least 65536");
  }
  std::string why;
  if (!SetMaxmemory(&c->memory, c->maxmemory, &why)) return bad("--maxmemory", why);
  if (!SetMaxmemoryPolicy(&c->memory, c->maxmemory_policy, &why)) {
    return bad("--maxmemory-policy", why);
  }
  if (!SetMaxmemorySamples(&c->memory, c->maxmemory_samples, &why)) {
    return bad("--maxmemory-samples", why);
  }
  if (!c->requirepass_file.empty()) {
    if (!c->requirepass.empty()) {
      return bad("--requirepass-file", "give either --requirepass or --requirepass-file");
    }
    std::ifstream in(c->requirepass_file);
    if (!in) return bad("--requirepass-file", "cannot read " + c->requirepass_file);
    std::stringstream ss;
    ss << in.rdbuf();
    c->requirepass = ss.str();
    while (!c->requirepass.empty() &&
           (c->requirepass.back() == '\n' || c->requirepass.back() == '\r')) {
      c->requirepass.pop_back();
    }
    if (c->requirepass.empty()) return bad("--requirepass-file", "the file is empty");
  }
  return absl::OkStatus();
}

}  // namespace strongbox::engine
