// Functions (Redis 7.0): FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL, FCALL and
// FCALL_RO. Libraries are data: the State's library map (changed only through the FUNCTION*
// effects, so they are logged, replayed and snapshotted) is the truth; the Lua state holds
// their compiled form and is rebuilt from the map whenever the two versions differ (after
// recovery, after SCRIPT FLUSH, after a failed RESTORE).
#include <xxhash.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/record_codec.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/glob.h"
#include "engine/commands/script_host.h"

namespace strongbox::engine {
namespace {

using scripting::LuaEngine;

// The shared Lua state with the State's libraries compiled in.
LuaEngine& LuaWithLibraries(const state::State& st) {
  LuaEngine& lua = SharedLua();
  if (lua.libraries_version == st.libraries_version()) return lua;
  lua.FlushLibraries();
  for (const auto& [name, code] : st.libraries()) {
    std::string loaded, error;
    if (!lua.LoadLibrary(code, /*replace=*/true, &loaded, &error)) {
      std::fprintf(stderr, "strongbox-engine: function library '%s' does not load: %s\n",
                   name.c_str(), error.c_str());
    }
  }
  lua.libraries_version = st.libraries_version();
  return lua;
}

// After a command changed the library map and the Lua state alike: they match again.
void MarkSynced(CommandContext& ctx) {
  SharedLua().libraries_version = ctx.state.libraries_version();
}

void Load(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  for (; pos + 1 < ctx.argv.size(); ++pos) {
    if (!EqualsIgnoreCase(ctx.argv[pos], "replace")) {
      return ctx.reply.Error("ERR Unknown option given: " + std::string(ctx.argv[pos]));
    }
    replace = true;
  }
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  std::string name, error;
  if (!lua.LoadLibrary(ctx.argv[pos], replace, &name, &error)) return ctx.reply.Error(error);
  Apply(ctx, {"FUNCTIONSET", name, ctx.argv[pos]});
  MarkSynced(ctx);
  ctx.reply.Bulk(name);
}

void Delete(CommandContext& ctx) {
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  if (!ctx.state.libraries().contains(std::string(ctx.argv[2]))) {
    return ctx.reply.Error("ERR Library not found");
  }
  Apply(ctx, {"FUNCTIONDEL", ctx.argv[2]});
  lua.DeleteLibrary(ctx.argv[2]);
  MarkSynced(ctx);
  ctx.reply.SimpleString("OK");
}

void Flush(CommandContext& ctx) {
  if (ctx.argv.size() == 3 && !EqualsIgnoreCase(ctx.argv[2], "sync") &&
      !EqualsIgnoreCase(ctx.argv[2], "async")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  Apply(ctx, {"FUNCTIONFLUSH"});
  lua.FlushLibraries();
  MarkSynced(ctx);
  ctx.reply.SimpleString("OK");
}

void WriteFunction(CommandContext& ctx, const scripting::FunctionInfo& f) {
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("name");
  ctx.reply.Bulk(f.name);
  ctx.reply.Bulk("description");
  if (f.description) {
    ctx.reply.Bulk(*f.description);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags;
  for (int bit = 0; bit < scripting::kFunctionFlagCount; ++bit) {
    if (f.flags & (1u << bit)) flags.push_back(scripting::FunctionFlagName(bit));
  }
  ctx.reply.SetHeader(static_cast<int64_t>(flags.size()));
  for (std::string_view flag : flags) ctx.reply.Bulk(flag);
}

void List(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (!with_code && EqualsIgnoreCase(ctx.argv[i], "withcode")) {
      with_code = true;
    } else if (!pattern && EqualsIgnoreCase(ctx.argv[i], "libraryname")) {
      if (i + 1 >= ctx.argv.size()) {
        return ctx.reply.Error("ERR library name argument was not given");
      }
      pattern = ctx.argv[++i];
    } else {
      return ctx.reply.Error("ERR Unknown argument " + std::string(ctx.argv[i]));
    }
  }
  std::vector<const scripting::LibraryInfo*> shown;
  for (const auto& [name, library] : LuaWithLibraries(ctx.state).libraries()) {
    if (!pattern || GlobMatch(*pattern, name)) shown.push_back(&library);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(shown.size()));
  for (const scripting::LibraryInfo* library : shown) {
    ctx.reply.MapHeader(with_code ? 4 : 3);
    ctx.reply.Bulk("library_name");
    ctx.reply.Bulk(library->name);
    ctx.reply.Bulk("engine");
    ctx.reply.Bulk("LUA");
    ctx.reply.Bulk("functions");
    ctx.reply.ArrayHeader(static_cast<int64_t>(library->functions.size()));
    for (const scripting::FunctionInfo& f : library->functions) WriteFunction(ctx, f);
    if (with_code) {
      ctx.reply.Bulk("library_code");
      ctx.reply.Bulk(library->code);
    }
  }
}

// FUNCTION DUMP's payload. Not Redis's RDB encoding (no RDB codec here yet), so a payload moves
// between Strongbox engines only: "SBXFUN01" | u32 count | (u32 length | code)* | u64 XXH3-64
// of everything before it.
constexpr std::string_view kDumpMagic = "SBXFUN01";

void Dump(CommandContext& ctx) {
  std::string payload(kDumpMagic);
  format::PutU32(&payload, static_cast<uint32_t>(ctx.state.libraries().size()));
  for (const auto& [name, code] : ctx.state.libraries()) {
    format::PutU32(&payload, static_cast<uint32_t>(code.size()));
    payload += code;
  }
  format::PutU64(&payload, XXH3_64bits(payload.data(), payload.size()));
  ctx.reply.Bulk(payload);
}

// The libraries' code in a DUMP payload, or false when it is damaged or not ours.
bool DecodeDump(std::string_view payload, std::vector<std::string_view>* codes) {
  if (payload.size() < kDumpMagic.size() + 12 || payload.substr(0, 8) != kDumpMagic) return false;
  std::string_view body = payload.substr(0, payload.size() - 8);
  if (format::GetU64(payload.data() + body.size()) != XXH3_64bits(body.data(), body.size())) {
    return false;
  }
  uint32_t count = format::GetU32(body.data() + 8);
  size_t pos = 12;
  for (uint32_t i = 0; i < count; ++i) {
    if (body.size() - pos < 4) return false;
    uint32_t len = format::GetU32(body.data() + pos);
    pos += 4;
    if (body.size() - pos < len) return false;
    codes->push_back(body.substr(pos, len));
    pos += len;
  }
  return pos == body.size();
}

// Loads the payload's libraries into the Lua state under `policy`; on failure the Lua state is
// left for a rebuild and nothing was logged.
bool RestoreInto(LuaEngine& lua, const state::State& st, std::string_view policy,
                 const std::vector<std::string_view>& codes, std::vector<std::string>* names,
                 std::string* error) {
  bool flush = EqualsIgnoreCase(policy, "flush"), replace = EqualsIgnoreCase(policy, "replace");
  if (flush) lua.FlushLibraries();
  for (std::string_view code : codes) {
    std::string name;
    scripting::LibraryMetadata md;
    if (!flush && !replace && scripting::ParseLibraryMetadata(code, &md, error) &&
        st.libraries().contains(md.name)) {
      *error = "ERR Library " + md.name + " already exists";
      return false;
    }
    if (!lua.LoadLibrary(code, /*replace=*/true, &name, error)) return false;
    names->push_back(std::move(name));
  }
  return true;
}

void Restore(CommandContext& ctx) {
  std::string_view policy = ctx.argv.size() == 4 ? ctx.argv[3] : "append";
  if (!EqualsIgnoreCase(policy, "append") && !EqualsIgnoreCase(policy, "replace") &&
      !EqualsIgnoreCase(policy, "flush")) {
    return ctx.reply.Error(
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
  }
  std::vector<std::string_view> codes;
  if (!DecodeDump(ctx.argv[2], &codes)) {
    return ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
  }
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  std::vector<std::string> names;
  std::string error;
  if (!RestoreInto(lua, ctx.state, policy, codes, &names, &error)) {
    lua.libraries_version.reset();  // rebuilt from the unchanged State on next use
    return ctx.reply.Error(error);
  }
  if (EqualsIgnoreCase(policy, "flush")) Apply(ctx, {"FUNCTIONFLUSH"});
  for (size_t i = 0; i < codes.size(); ++i) Apply(ctx, {"FUNCTIONSET", names[i], codes[i]});
  MarkSynced(ctx);
  ctx.reply.SimpleString("OK");
}

void Stats(CommandContext& ctx) {
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  size_t functions = 0;
  for (const auto& [name, library] : lua.libraries()) functions += library.functions.size();
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("running_script");
  ctx.reply.Null();  // nothing else runs while a command runs
  ctx.reply.Bulk("engines");
  ctx.reply.MapHeader(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Integer(static_cast<int64_t>(lua.libraries().size()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Integer(static_cast<int64_t>(functions));
}

struct Subcommand {
  std::string_view name;
  int arity;  // Redis's: negative is a minimum, counting FUNCTION and the subcommand
  void (*handler)(CommandContext&);
};

void Kill(CommandContext& ctx) { ctx.reply.Error("NOTBUSY No scripts in execution right now."); }

constexpr Subcommand kSubcommands[] = {
    {"load", -3, Load}, {"delete", 3, Delete},    {"flush", -2, Flush}, {"list", -2, List},
    {"dump", 2, Dump},  {"restore", -3, Restore}, {"stats", 2, Stats},  {"kill", 2, Kill},
};

void Function(CommandContext& ctx) {
  for (const Subcommand& sub : kSubcommands) {
    if (!EqualsIgnoreCase(ctx.argv[1], sub.name)) continue;
    size_t argc = ctx.argv.size();
    bool arity_ok = sub.arity >= 0 ? argc == static_cast<size_t>(sub.arity)
                                   : argc >= static_cast<size_t>(-sub.arity);
    if (!arity_ok || (sub.name == "restore" && argc > 4) || (sub.name == "flush" && argc > 3)) {
      return ctx.reply.Error("ERR wrong number of arguments for 'function|" +
                             std::string(sub.name) + "' command");
    }
    return sub.handler(ctx);
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try FUNCTION HELP.");
}

// FCALL function numkeys key... arg... and FCALL_RO: Redis 7.0's checks and texts.
void FcallGeneric(CommandContext& ctx, bool read_only) {
  LuaEngine& lua = LuaWithLibraries(ctx.state);
  const scripting::FunctionInfo* f = lua.FindFunction(ctx.argv[1]);
  if (f == nullptr) return ctx.reply.Error("ERR Function not found");
  auto numkeys = ParseInt(ctx.argv[2]);
  if (!numkeys) return ctx.reply.Error("ERR Bad number of keys provided");
  if (*numkeys > static_cast<int64_t>(ctx.argv.size()) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (*numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  bool no_writes = f->flags & scripting::kFunctionNoWrites;
  if (read_only && !no_writes) {
    return ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
  }
  if (!no_writes && ctx.server.read_only()) {
    return ctx.reply.Error(absl::StrCat("MISCONF ", ctx.server.read_only_reason()));
  }
  if (!no_writes && RefusedForReplicas(ctx)) return;
  ScriptCallHost host(ctx, read_only || no_writes, /*is_function=*/true);
  auto keys = ctx.argv.subspan(3, static_cast<size_t>(*numkeys));
  auto args = ctx.argv.subspan(3 + static_cast<size_t>(*numkeys));
  lua.RunFunction(*f, keys, args, host, ctx.reply);
}

void Fcall(CommandContext& ctx) { FcallGeneric(ctx, false); }
void FcallRo(CommandContext& ctx) { FcallGeneric(ctx, true); }

}  // namespace

void RegisterFunctionCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"function", -2, kWrite | kNoScript, 0, 0, 0, Function});
  r.Add({"fcall", -3, kNoScript | kRunsScript, 0, 0, 0, Fcall});
  r.Add({"fcall_ro", -3, kNoScript | kRunsScript, 0, 0, 0, FcallRo});
}

}  // namespace strongbox::engine
