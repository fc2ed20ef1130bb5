// What Redis tools and clients ask of a server beyond data commands: COPY, OBJECT, MEMORY
// USAGE, CONFIG GET/SET/RESETSTAT for the parameters tools set, FUNCTION FLUSH (SCRIPT is in
// scripting_commands.cc).
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/monitors.h"
#include "engine/commands/script_host.h"

namespace strongbox::engine {
namespace {

// Encoding thresholds and similar knobs: accepted, stored and reported back, since tools
// (and client test suites) set them; they do not change how Strongbox stores data.
absl::flat_hash_map<std::string, std::string>& TunableConfig() {
  static auto* config = new absl::flat_hash_map<std::string, std::string>{
      {"hash-max-listpack-entries", "128"}, {"hash-max-listpack-value", "64"},
      {"hash-max-ziplist-entries", "128"},  {"hash-max-ziplist-value", "64"},
      {"list-max-listpack-size", "-2"},     {"list-max-ziplist-size", "-2"},
      {"list-compress-depth", "0"},         {"set-max-intset-entries", "512"},
      {"set-max-listpack-entries", "128"},  {"set-max-listpack-value", "64"},
      {"zset-max-listpack-entries", "128"}, {"zset-max-listpack-value", "64"},
      {"zset-max-ziplist-entries", "128"},  {"zset-max-ziplist-value", "64"},
      {"lua-time-limit", "5000"},           {"busy-reply-threshold", "5000"},
      {"latency-tracking", "yes"},          {"lazyfree-lazy-user-del", "no"},
  };
  return *config;
}

// The encoding names Redis reports, answered from our own representation where it has the
// same meaning (packed vs node-based hashes and sorted sets).
std::string_view Encoding(const state::Entry& e) {
  if (auto s = e.str()) {
    if (ParseInt(*s)) return "int";
    return s->size() <= 44 ? "embstr" : "raw";
  }
  if (const auto* h = e.hash()) return h->packed() ? "listpack" : "hashtable";
  if (const auto* l = e.list()) return l->size() <= 128 ? "listpack" : "quicklist";
  if (const auto* s = e.set()) {
    bool ints = s->size() <= 512;
    for (const auto& m : *s) {
      if (!ints) break;
      ints = ParseInt(m).has_value();
    }
    if (ints) return "intset";
    return s->size() <= 128 ? "listpack" : "hashtable";
  }
  if (e.stream() != nullptr) return "stream";
  return e.zset()->packed() ? "listpack" : "skiplist";
}

// Bytes the entry takes: its node, its table slot and what its value holds on the heap.
int64_t MemoryUsage(const state::Entry& e) {
  return static_cast<int64_t>(e.node_bytes() + sizeof(state::EntryPtr) + 1 + e.value_heap_bytes());
}

bool IsBusyThreshold(std::string_view name) {
  return name == "lua-time-limit" || name == "busy-reply-threshold";
}

constexpr std::string_view kNotifyConfig = "notify-keyspace-events";

bool TunableConfigGet(std::string_view name, std::string* value) {
  auto it = TunableConfig().find(std::string(name));
  if (it == TunableConfig().end()) return false;
  *value = it->second;
  return true;
}

std::vector<std::string> TunableConfigNames() {
  std::vector<std::string> names;
  for (const auto& [k, v] : TunableConfig()) names.push_back(k);
  return names;
}

void ConfigSet(CommandContext& ctx) {
  if (ctx.argv.size() < 4 || ctx.argv.size() % 2 != 0) {
    return ctx.reply.Error("ERR wrong number of arguments for 'config|set' command");
  }
  // All or nothing, as Redis: every name and value is checked before any is applied.
  Monitors* monitors = ctx.server.monitors();
  for (size_t i = 2; i + 1 < ctx.argv.size(); i += 2) {
    std::string name = ToLower(ctx.argv[i]);
    if (monitors != nullptr && IsMonitorConfig(name)) {
      std::string why = MonitorConfigCheck(name, ctx.argv[i + 1]);
      if (why.empty()) continue;
      return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + name +
                             "') - " + why);
    }
    if (name == kNotifyConfig && !ParseKeyspaceEventFlags(ctx.argv[i + 1])) {
      return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" +
                             std::string(ctx.argv[i]) + "') - " +
                             std::string(kErrKeyspaceEventClass));
    }
    if (name == kNotifyConfig) continue;
    std::string error;
    if (ctx.server.ConfigSet(name, ctx.argv[i + 1], &error)) {
      if (error.empty()) continue;
      return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" +
                             std::string(ctx.argv[i]) + "') - " + error);
    }
    if (!TunableConfig().contains(name)) {
      return ctx.reply.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                             std::string(ctx.argv[i]) + "'");
    }
    if (IsBusyThreshold(name) && !ParseInt(ctx.argv[i + 1])) {
      return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" +
                             std::string(ctx.argv[i]) +
                             "') - argument couldn't be parsed into an integer");
    }
  }
  for (size_t i = 2; i + 1 < ctx.argv.size(); i += 2) {
    std::string name = ToLower(ctx.argv[i]);
    if (monitors != nullptr && IsMonitorConfig(name)) {
      MonitorConfigSet(*monitors, name, ctx.argv[i + 1]);
      continue;
    }
    if (name == kNotifyConfig) {
      KeyspaceEvents* events = ctx.server.keyspace_events();
      if (events != nullptr) events->set_flags(*ParseKeyspaceEventFlags(ctx.argv[i + 1]));
      continue;
    }
    auto it = TunableConfig().find(name);
    if (it != TunableConfig().end()) it->second = std::string(ctx.argv[i + 1]);  // else server's
    if (IsBusyThreshold(name)) {  // one parameter under two names
      TunableConfig()["lua-time-limit"] = TunableConfig()["busy-reply-threshold"] =
          std::string(ctx.argv[i + 1]);
    }
  }
  ctx.reply.SimpleString("OK");
}

void Config(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "get") {
    if (ctx.argv.size() < 3) {
      return ctx.reply.Error("ERR wrong number of arguments for 'config|get' command");
    }
    // Fixed answers for what Redis tools ask; the server adds its own parameters.
    static const std::pair<std::string_view, std::string_view> kFixed[] = {
        {"save", ""},       {"appendonly", "yes"},    {"appendfsync", "always"},
        {"maxmemory", "0"}, {"databases", "16"},      {"maxmemory-policy", "noeviction"},
        {"timeout", "0"},   {"cluster-enabled", "no"}};
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 2; i < ctx.argv.size(); ++i) {
      std::string pattern = ToLower(ctx.argv[i]);
      for (const auto& [name, value] : kFixed) {
        std::string v(value);
        ctx.server.ConfigGet(name, &v);
        if (GlobMatch(pattern, name, true)) out.emplace_back(name, v);
      }
      for (const std::string& name : TunableConfigNames()) {
        std::string v;
        if (GlobMatch(pattern, name, true) && TunableConfigGet(name, &v)) out.emplace_back(name, v);
      }
      const Monitors* monitors = ctx.server.monitors();
      for (std::string_view name : MonitorConfigNames()) {
        if (monitors != nullptr && GlobMatch(pattern, name, true)) {
          out.emplace_back(name, MonitorConfigGet(*monitors, name));
        }
      }
      if (GlobMatch(pattern, kNotifyConfig, true)) {
        const KeyspaceEvents* events = ctx.server.keyspace_events();
        out.emplace_back(kNotifyConfig,
                         FormatKeyspaceEventFlags(events != nullptr ? events->flags() : 0));
      }
      for (std::string_view name : {"port", "bind", "requirepass", "maxclients",
                                    "proto-max-bulk-len", "client-query-buffer-limit", "dir",
                                    "client-output-buffer-limit", "maxmemory-samples"}) {
        std::string v;
        if (GlobMatch(pattern, name, true) && ctx.server.ConfigGet(name, &v)) {
          out.emplace_back(name, v);
        }
      }
    }
    ctx.reply.MapHeader(static_cast<int64_t>(out.size()));
    for (const auto& [k, v] : out) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
    return;
  }
  if (sub == "resetstat") return ctx.reply.SimpleString("OK");
  if (sub == "set") return ConfigSet(ctx);
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try CONFIG HELP.");
}

void Copy(CommandContext& ctx) {
  int64_t db = ctx.client.db;
  bool replace = false;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    if (EqualsIgnoreCase(ctx.argv[i], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.argv[i], "db") && i + 1 < ctx.argv.size()) {
      auto v = ParseInt(ctx.argv[++i]);
      if (!v) return ctx.reply.Error(kErrNotInteger);
      if (*v < 0 || *v >= state::kDatabaseCount) {
        return ctx.reply.Error("ERR DB index is out of range");
      }
      db = *v;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  if (db == ctx.client.db && ctx.argv[1] == ctx.argv[2]) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  if (CurrentDb(ctx).Find(ctx.argv[1], ctx.now_ms) == nullptr) return ctx.reply.Integer(0);
  if (!replace && ctx.state.db(static_cast<int>(db)).Find(ctx.argv[2], ctx.now_ms) != nullptr) {
    return ctx.reply.Integer(0);
  }
  std::string db_text = IntToString(db);
  Apply(ctx, {"COPY", ctx.argv[1], db_text, ctx.argv[2]});  // touches dst in db (effect table)
  NotifyKeyspaceEventIn(ctx.server, kNotifyGeneric, "copy_to", static_cast<int>(db), ctx.argv[2]);
  ctx.reply.Integer(1);
}

void Object(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "help") {
    ctx.reply.ArrayHeader(4);
    ctx.reply.SimpleString("ENCODING <key>");
    ctx.reply.SimpleString("FREQ <key>");
    ctx.reply.SimpleString("IDLETIME <key>");
    ctx.reply.SimpleString("REFCOUNT <key>");
    return;
  }
  if (ctx.argv.size() != 3) {
    return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                           std::string(ctx.argv[1]) + "'. Try OBJECT HELP.");
  }
  // Looked at without counting as an access (Redis's LOOKUP_NOTOUCH): the const lookup.
  const state::Entry* e = std::as_const(CurrentDb(ctx)).Find(ctx.argv[2], ctx.now_ms);
  if (sub != "encoding" && sub != "refcount" && sub != "idletime" && sub != "freq") {
    return ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) +
                           "'. Try OBJECT HELP.");
  }
  if (e == nullptr) return ctx.reply.Null();
  if (sub == "encoding") return ctx.reply.Bulk(Encoding(*e));
  if (sub == "refcount") return ctx.reply.Integer(1);
  const state::AccessClock& clock = state::GlobalAccessClock();
  if (sub == "idletime") {
    if (clock.lfu) {
      return ctx.reply.Error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to "
          "adjust.");
    }
    return ctx.reply.Integer(static_cast<int64_t>(e->idle_seconds(clock)));
  }
  if (!clock.lfu) {
    return ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.");
  }
  ctx.reply.Integer(e->lfu_counter(clock));
}

void Memory(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "usage" && ctx.argv.size() >= 3) {
    const state::Entry* e = CurrentDb(ctx).Find(ctx.argv[2], ctx.now_ms);
    return e ? ctx.reply.Integer(MemoryUsage(*e)) : ctx.reply.Null();
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try MEMORY HELP.");
}

}  // namespace

int64_t BusyReplyThresholdMs() {
  return ParseInt(TunableConfig()["busy-reply-threshold"]).value_or(5000);
}

void RegisterAdminCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"config", -2, kAdmin | kNoScript, 0, 0, 0, Config});
  r.Add({"copy", -3, kWrite | kDenyOom, 1, 2, 1, Copy});
  r.Add({"object", -2, kReadonly, 2, 2, 1, Object});
  r.Add({"memory", -2, kReadonly, 0, 0, 0, Memory});
}

}  // namespace strongbox::engine
