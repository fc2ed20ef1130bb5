// DEBUG (SLEEP, OBJECT, HELP) and MEMORY (STATS, DOCTOR, MALLOC-STATS, USAGE, HELP): Redis's
// field names and line formats, the engine's own figures. Registered in admin_commands.cc.
#include "engine/commands/debug_memory_commands.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/commands/command_util.h"
#include "engine/commands/object_info.h"

namespace strongbox::engine {
namespace {

void ReplyLines(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

// A figure of INFO's memory section ("used_memory", "used_memory_rss"): one source of truth.
int64_t InfoMemoryField(CommandContext& ctx, std::string_view field) {
  std::string text = ctx.server.InfoSection("memory");
  std::string key = absl::StrCat("\n", std::string(field), ":");
  size_t at = text.find(key);
  int64_t value = 0;
  if (at == std::string::npos) return 0;
  size_t start = at + key.size();
  size_t end = text.find('\r', start);
  if (!absl::SimpleAtoi(text.substr(start, end - start), &value)) return 0;
  return value;
}

void DebugObject(CommandContext& ctx) {
  const state::Entry* e = CurrentDb(ctx).Find(ctx.argv[2], ctx.now_ms);
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  auto s = e->str();
  size_t serialized = s ? s->size() : e->value_heap_bytes();  // payload bytes, not RDB's
  // lru and lru_seconds_idle: the 24-bit access clock OBJECT IDLETIME and eviction use.
  const state::AccessClock& clock = state::GlobalAccessClock();
  ctx.reply.SimpleString(absl::StrFormat(
      "Value at:%p refcount:1 encoding:%s serializedlength:%d lru:%u lru_seconds_idle:%u",
      static_cast<const void*>(e), std::string(ObjectEncoding(*e)), serialized, clock.lru_clock_s,
      e->idle_seconds(clock)));
}

void DebugSleep(CommandContext& ctx) {
  // As Redis: the whole server sleeps (a way to test clients' timeouts); bad numbers are 0.
  double seconds = std::strtod(std::string(ctx.argv[2]).c_str(), nullptr);
  // Capped at an hour: an infinite or huge value must not overflow the clock's duration.
  seconds = std::min(seconds, 3600.0);
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  ctx.reply.SimpleString("OK");
}

void MemoryStats(CommandContext& ctx) {
  int64_t used = InfoMemoryField(ctx, "used_memory");
  int64_t rss = InfoMemoryField(ctx, "used_memory_rss");
  int64_t keys = 0, tables = 0;
  std::vector<int> dbs;  // the databases holding keys, as Redis lists them
  for (int i = 0; i < state::kDatabaseCount; ++i) {
    const state::Db& db = ctx.state.db(i);
    tables += static_cast<int64_t>(db.table_bytes());
    if (db.size() == 0) continue;
    keys += static_cast<int64_t>(db.size());
    dbs.push_back(i);
  }
  auto field = [&](std::string_view name, int64_t v) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(v);
  };
  ctx.reply.MapHeader(static_cast<int64_t>(10 + dbs.size()));
  field("peak.allocated", used);  // no peak is kept: the current figure
  field("total.allocated", used);
  field("startup.allocated", 0);
  field("clients.normal", 0);
  for (int i : dbs) {
    ctx.reply.Bulk(absl::StrCat("db.", i));
    ctx.reply.MapHeader(2);
    field("overhead.hashtable.main", static_cast<int64_t>(ctx.state.db(i).table_bytes()));
    field("overhead.hashtable.expires", 0);  // expiries live in the entries
  }
  field("overhead.total", tables);
  field("keys.count", keys);
  field("keys.bytes-per-key", keys ? used / keys : 0);
  field("dataset.bytes", std::max<int64_t>(0, used - tables));
  field("allocator.resident", rss);
  ctx.reply.Bulk("fragmentation");
  ctx.reply.Double(used ? static_cast<double>(rss) / static_cast<double>(used) : 0);
}

void MemoryDoctor(CommandContext& ctx) {
  int64_t used = InfoMemoryField(ctx, "used_memory");
  int64_t rss = InfoMemoryField(ctx, "used_memory_rss");
  double ratio = used ? static_cast<double>(rss) / static_cast<double>(used) : 0;
  std::string report =
      used < (5 << 20)
          ? "This instance uses very little memory: there is nothing to diagnose yet."
          : absl::StrFormat(
                "Allocated %d bytes, resident %d bytes (fragmentation %.2f). %s", used, rss, ratio,
                ratio > 1.4 ? "High fragmentation: freed memory is held by the allocator."
                            : "No memory problem detected.");
  ctx.reply.Verbatim(report);
}

void MallocStats(CommandContext& ctx) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  if (out != nullptr) {
    malloc_info(0, out);  // glibc's XML report
    std::fclose(out);
  }
  ctx.reply.Verbatim(buf != nullptr ? std::string_view(buf, len) : "");
  std::free(buf);
}

}  // namespace

void DebugCommand(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  if (sub == "help" && ctx.argv.size() == 2) {
    return ReplyLines(
        ctx,
        {"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "OBJECT <key>",
         "    Show low level info about the `key` and associated value.", "SLEEP <seconds>",
         "    Stop the server for <seconds>. Decimals allowed.", "HELP", "    Prints this help."});
  }
  if (sub == "object" && ctx.argv.size() == 3) return DebugObject(ctx);
  if (sub == "sleep" && ctx.argv.size() == 3) return DebugSleep(ctx);
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(ctx.argv[1]) + "'. Try DEBUG HELP.");
}

void MemoryCommand(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  bool exact = ctx.argv.size() == 2;
  if (sub == "usage" && ctx.argv.size() >= 3) {
    const state::Entry* e = CurrentDb(ctx).Find(ctx.argv[2], ctx.now_ms);
    return e ? ctx.reply.Integer(ObjectMemoryUsage(*e)) : ctx.reply.Null();
  }
  if (sub == "stats" && exact) return MemoryStats(ctx);
  if (sub == "doctor" && exact) return MemoryDoctor(ctx);
  if (sub == "malloc-stats" && exact) return MallocStats(ctx);
  if (sub == "help" && exact) {
    return ReplyLines(ctx,
                      {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                       "    Return memory problems reports.", "MALLOC-STATS",
                       "    Return internal statistics report from the memory allocator.", "STATS",
                       "    Return information about the memory usage of the server.",
                       "USAGE <key> [SAMPLES <count>]",
                       "    Return memory in bytes used by <key> and its value. Nested values are",
                       "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP",
                       "    Prints this help."});
  }
  if (sub == "usage" || sub == "stats" || sub == "doctor" || sub == "malloc-stats" ||
      sub == "help") {
    return ctx.reply.Error("ERR wrong number of arguments for 'memory|" + sub + "' command");
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try MEMORY HELP.");
}

}  // namespace strongbox::engine
