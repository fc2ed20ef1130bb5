// What Redis tools and clients ask of a server beyond data commands: COPY, OBJECT, MEMORY
// USAGE, CONFIG (the parameters are the server's ConfigRegistry, config_registry.h), FUNCTION
// FLUSH (SCRIPT is in scripting_commands.cc).
#include <atomic>
#include <iterator>
#include <string>
#include <utility>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_stats.h"
#include "engine/commands/command_util.h"
#include "engine/commands/debug_memory_commands.h"
#include "engine/commands/keyspace_events.h"
#include "engine/commands/object_info.h"
#include "engine/commands/script_host.h"
#include "engine/server/config_registry.h"

namespace strongbox::engine {

// The encoding names Redis reports, answered from our own representation where it has the
// same meaning (packed vs node-based hashes and sorted sets).
std::string_view ObjectEncoding(const state::Entry& e) {
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

int64_t ObjectMemoryUsage(const state::Entry& e) {
  return static_cast<int64_t>(e.node_bytes() + sizeof(state::EntryPtr) + 1 + e.value_heap_bytes());
}

namespace {

// Redis 7.0's CONFIG HELP text.
void ConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

void ConfigGet(CommandContext& ctx, const ConfigRegistry& registry) {
  if (ctx.argv.size() < 3) {
    return ctx.reply.Error("ERR wrong number of arguments for 'config|get' command");
  }
  std::vector<ConfigPair> out = registry.Get(ctx.argv.subspan(2));
  ctx.reply.MapHeader(static_cast<int64_t>(out.size()));
  for (const auto& [name, value] : out) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

void ConfigSet(CommandContext& ctx, ConfigRegistry& registry) {
  if (ctx.argv.size() < 4) {
    return ctx.reply.Error("ERR wrong number of arguments for 'config|set' command");
  }
  if (ctx.argv.size() % 2 != 0) return ctx.reply.Error(kErrSyntax);
  std::string error = registry.Set(ctx.argv.subspan(2));
  error.empty() ? ctx.reply.SimpleString("OK") : ctx.reply.Error(error);
}

void Config(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  ConfigRegistry* registry = ctx.server.config_registry();
  bool exact = ctx.argv.size() == 2;
  if (sub == "help" && exact) return ConfigHelp(ctx);
  if (sub == "get" && registry != nullptr) return ConfigGet(ctx, *registry);
  if (sub == "set" && registry != nullptr) return ConfigSet(ctx, *registry);
  if (sub == "resetstat" && exact) {
    ctx.server.ResetStats();  // INFO's counters (commandstats, errorstats, hits/misses, ...)
    return ctx.reply.SimpleString("OK");
  }
  if (sub == "rewrite" && exact) {
    std::string error = ctx.server.ConfigRewrite();
    return error.empty() ? ctx.reply.SimpleString("OK") : ctx.reply.Error(error);
  }
  if (sub == "help" || sub == "resetstat" || sub == "rewrite") {
    return ctx.reply.Error("ERR wrong number of arguments for 'config|" + sub + "' command");
  }
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
  if (LookupRead(ctx, ctx.argv[1]) == nullptr) return ctx.reply.Integer(0);
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
  // Looked at without counting as an access (Redis's LOOKUP_NOTOUCH): the const lookup. It is a
  // keyspace hit or miss, but a miss raises no keymiss (LOOKUP_NONOTIFY).
  const state::Entry* e = std::as_const(CurrentDb(ctx)).Find(ctx.argv[2], ctx.now_ms);
  if (CommandStats* stats = ctx.server.command_stats()) stats->RecordReadLookup(e != nullptr);
  if (sub != "encoding" && sub != "refcount" && sub != "idletime" && sub != "freq") {
    return ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) +
                           "'. Try OBJECT HELP.");
  }
  if (e == nullptr) return ctx.reply.Null();
  if (sub == "encoding") return ctx.reply.Bulk(ObjectEncoding(*e));
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

}  // namespace

namespace {
// Redis's default, 5 s; one value for the whole process, as the shared Lua state.
std::atomic<int64_t> g_busy_reply_threshold_ms{5000};
}  // namespace

int64_t BusyReplyThresholdMs() { return g_busy_reply_threshold_ms.load(); }

void SetBusyReplyThresholdMs(int64_t threshold_ms) { g_busy_reply_threshold_ms = threshold_ms; }

void RegisterAdminCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  // kNoReplicaAck (command.h): parameters are not records. MEMORY is not: USAGE sizes a key.
  r.Add({"config", -2, kAdmin | kNoScript | kNoReplicaAck, 0, 0, 0, Config});
  r.Add({"copy", -3, kWrite | kDenyOom, 1, 2, 1, Copy});
  r.Add({"object", -2, kReadonly, 2, 2, 1, Object});
  r.Add({"memory", -2, kReadonly, 0, 0, 0, MemoryCommand});
  r.Add({"debug", -2, kAdmin | kNoScript, 0, 0, 0, DebugCommand});
}

}  // namespace strongbox::engine
