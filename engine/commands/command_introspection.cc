// COMMAND and its subcommands, from the registry's specs (flags, arity, key positions) and
// command_keys.h (movable keys). Redis's flags the engine has no notion of (loading, stale,
// allow_busy, pubsub, skip_monitor, no_mandatory_keys) are not reported.
#include "engine/commands/command_introspection.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "engine/acl/acl_categories.h"
#include "engine/commands/command_keys.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/commands/glob.h"

namespace strongbox::engine {
namespace {

// "@read", "@string", ... as COMMAND INFO lists them (the ACL's category bits, in ACL CAT order).
std::vector<std::string> CategoryNames(const CommandSpec& c) {
  uint32_t bits = AclCategoriesOf(c);
  std::vector<std::string> names;
  for (size_t i = 0; i < acl::kCategoryCount; ++i) {
    if (bits & (uint32_t{1} << i)) names.push_back("@" + std::string(acl::kCategoryNames[i]));
  }
  return names;
}

std::vector<std::string_view> FlagNames(const CommandSpec& c) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kWrite, "write"},    {kReadonly, "readonly"},      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},    {kNoScript, "noscript"},      {kMayBlock, "blocking"},
      {kNoAuth, "no_auth"}, {kNoSlowlog, "skip_slowlog"}, {kFast, "fast"}};
  std::vector<std::string_view> out;
  for (const auto& [flag, name] : kNames) {
    if (c.flags & flag) out.push_back(name);
  }
  if (MovableKeysOf(c.name) != nullptr) out.push_back("movablekeys");
  return out;
}

void BulkArray(RespWriter& reply, std::initializer_list<std::string_view> items) {
  reply.ArrayHeader(static_cast<int64_t>(items.size()));
  for (std::string_view s : items) reply.Bulk(s);
}

// One key spec: where the keys begin (an index, or after a keyword) and how many follow.
void KeySpec(RespWriter& reply, const CommandSpec& c, std::string_view begin_type,
             int64_t begin_index, bool keynum, int64_t last_or_numkeys, int64_t step) {
  reply.MapHeader(3);
  reply.Bulk("flags");
  BulkArray(reply, {(c.flags & kWrite) ? "RW" : "RO", "access"});
  reply.Bulk("begin_search");
  reply.MapHeader(2);
  reply.Bulk("type");
  reply.Bulk(begin_type);
  reply.Bulk("spec");
  reply.MapHeader(1);
  reply.Bulk("index");
  reply.Integer(begin_index);
  reply.Bulk("find_keys");
  reply.MapHeader(2);
  reply.Bulk("type");
  reply.Bulk(keynum ? "keynum" : "range");
  reply.Bulk("spec");
  reply.MapHeader(3);
  reply.Bulk(keynum ? "keynumidx" : "lastkey");
  reply.Integer(last_or_numkeys);
  reply.Bulk(keynum ? "firstkey" : "keystep");
  reply.Integer(keynum ? 1 : step);
  reply.Bulk(keynum ? "keystep" : "limit");
  reply.Integer(keynum ? 1 : 0);
}

void KeySpecs(RespWriter& reply, const CommandSpec& c) {
  const MovableKeys* rule = MovableKeysOf(c.name);
  bool range = c.first_key > 0;
  bool numkeys = rule != nullptr && rule->numkeys_at > 0;
  reply.ArrayHeader((range ? 1 : 0) + (numkeys ? 1 : 0));
  if (range) {
    int64_t last = c.last_key < 0 ? c.last_key : c.last_key - c.first_key;
    KeySpec(reply, c, "index", c.first_key, false, last, c.key_step);
  }
  if (numkeys) KeySpec(reply, c, "index", rule->numkeys_at, true, 0, 1);
}

void Info(CommandContext& ctx, const CommandSpec& c) {
  ctx.reply.ArrayHeader(10);
  ctx.reply.Bulk(c.name);
  ctx.reply.Integer(c.arity);
  auto flags = FlagNames(c);
  ctx.reply.SetHeader(static_cast<int64_t>(flags.size()));
  for (auto f : flags) ctx.reply.SimpleString(f);
  ctx.reply.Integer(c.first_key);
  ctx.reply.Integer(c.last_key);
  ctx.reply.Integer(c.key_step);
  auto categories = CategoryNames(c);
  ctx.reply.SetHeader(static_cast<int64_t>(categories.size()));
  for (auto category : categories) ctx.reply.SimpleString(category);
  ctx.reply.SetHeader(0);  // tips
  KeySpecs(ctx.reply, c);
  ctx.reply.ArrayHeader(0);  // subcommands: not registered as commands of their own
}

void InfoOf(CommandContext& ctx) {
  auto all = AllCommands();
  if (ctx.argv.size() <= 2) {
    ctx.reply.ArrayHeader(static_cast<int64_t>(all.size()));
    for (const auto& c : all) Info(ctx, c);
    return;
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2));
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const CommandSpec* c = FindCommand(ctx.argv[i]);
    c ? Info(ctx, *c) : ctx.reply.NullArray();
  }
}

void List(CommandContext& ctx) {
  std::string_view kind, value;
  if (ctx.argv.size() == 5 && EqualsIgnoreCase(ctx.argv[2], "filterby")) {
    kind = ctx.argv[3];
    value = ctx.argv[4];
  } else if (ctx.argv.size() != 2) {
    return ctx.reply.Error(kErrSyntax);
  }
  bool module = EqualsIgnoreCase(kind, "module");
  bool aclcat = EqualsIgnoreCase(kind, "aclcat");
  bool pattern = EqualsIgnoreCase(kind, "pattern");
  if (!kind.empty() && !module && !aclcat && !pattern) return ctx.reply.Error(kErrSyntax);
  std::vector<std::string_view> names;
  for (const auto& c : AllCommands()) {
    if (module) break;  // no modules: none belongs to one
    bool keep = !pattern || GlobMatch(value, c.name, true);
    if (aclcat) {
      keep = false;
      for (const auto& category : CategoryNames(c)) {
        keep |= EqualsIgnoreCase(std::string_view(category).substr(1), value);
      }
    }
    if (keep) names.push_back(c.name);
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (auto name : names) ctx.reply.Bulk(name);
}

void GetKeys(CommandContext& ctx, bool with_flags) {
  std::string sub = ToLower(ctx.argv[1]);
  if (ctx.argv.size() < 4) {
    return ctx.reply.Error("ERR wrong number of arguments for 'command|" + sub + "' command");
  }
  auto argv = ctx.argv.subspan(2);
  const CommandSpec* c = FindCommand(argv[0]);
  if (c == nullptr) return ctx.reply.Error("ERR Invalid command specified");
  if (!ArityOk(*c, argv.size())) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  KeyPositions keys = FindKeys(*c, argv);
  if (!keys.error.empty()) return ctx.reply.Error("ERR " + keys.error);
  if (keys.indexes.empty() && MovableKeysOf(c->name) == nullptr) {
    return ctx.reply.Error("ERR The command has no key arguments");
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(keys.indexes.size()));
  for (size_t i : keys.indexes) {
    if (!with_flags) {
      ctx.reply.Bulk(argv[i]);
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(argv[i]);
    ctx.reply.ArrayHeader(1);
    ctx.reply.SimpleString((c->flags & kWrite) ? "RW" : "RO");
  }
}

void Help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
      "    Return a list of all commands in this Redis server.",
      "HELP",
      "    Prints this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

}  // namespace

void CommandCommand(CommandContext& ctx) {
  std::string sub = ctx.argv.size() > 1 ? ToLower(ctx.argv[1]) : "";
  if (sub.empty() || sub == "info") return InfoOf(ctx);
  if (sub == "count" && ctx.argv.size() == 2) {
    return ctx.reply.Integer(static_cast<int64_t>(AllCommands().size()));
  }
  if (sub == "list") return List(ctx);
  if (sub == "getkeys" || sub == "getkeysandflags") return GetKeys(ctx, sub != "getkeys");
  if (sub == "help" && ctx.argv.size() == 2) return Help(ctx);
  if (sub == "docs") return ctx.reply.MapHeader(0);  // no documentation is kept yet
  if (sub == "count" || sub == "help") {
    return ctx.reply.Error("ERR wrong number of arguments for 'command|" + sub + "' command");
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try COMMAND HELP.");
}

}  // namespace strongbox::engine
