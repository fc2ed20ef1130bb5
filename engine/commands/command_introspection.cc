// COMMAND and its subcommands, from the registry's specs (flags, arity, key positions),
// command_keys.h (key specs, movable keys, GETKEYS) and command_docs.h (DOCS). Redis's flags the
// engine has no notion of (loading, stale, allow_busy, pubsub, skip_monitor, no_mandatory_keys) are
// not reported.
#include "engine/commands/command_introspection.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/acl/acl_categories.h"
#include "engine/commands/command_docs.h"
#include "engine/commands/command_keys.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/dispatcher.h"
#include "engine/commands/glob.h"

namespace strongbox::engine {
namespace {

// "@read", "@string", ... as COMMAND INFO lists them (the ACL's category bits, in ACL CAT order).
std::vector<std::string> CategoryNames(uint32_t bits) {
  std::vector<std::string> names;
  for (size_t i = 0; i < acl::kCategoryCount; ++i) {
    if (bits & (uint32_t{1} << i)) names.push_back("@" + std::string(acl::kCategoryNames[i]));
  }
  return names;
}

std::vector<std::string_view> FlagNames(uint32_t flags, const CommandKeySpecs* keys) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kWrite, "write"},    {kReadonly, "readonly"},      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},    {kNoScript, "noscript"},      {kMayBlock, "blocking"},
      {kNoAuth, "no_auth"}, {kNoSlowlog, "skip_slowlog"}, {kFast, "fast"}};
  std::vector<std::string_view> out;
  for (const auto& [flag, name] : kNames) {
    if (flags & flag) out.push_back(name);
  }
  if (keys != nullptr && HasMovableKeys(*keys)) out.push_back("movablekeys");
  return out;
}

// The names of the bits set in a key spec's flags, in Redis's order (status strings).
void KeyFlagSet(RespWriter& reply, uint16_t flags) {
  static constexpr FlagName kNames[] = {{kKeyRO, "RO"},
                                        {kKeyRW, "RW"},
                                        {kKeyOW, "OW"},
                                        {kKeyRM, "RM"},
                                        {kKeyAccess, "access"},
                                        {kKeyUpdate, "update"},
                                        {kKeyInsert, "insert"},
                                        {kKeyDelete, "delete"},
                                        {kKeyNotKey, "not_key"},
                                        {kKeyIncomplete, "incomplete"},
                                        {kKeyVariableFlags, "variable_flags"}};
  WriteFlagSet(reply, flags, kNames);
}

void BeginSearch(RespWriter& reply, const KeySpec& spec) {
  reply.MapHeader(2);
  reply.Bulk("type");
  reply.Bulk(spec.begin == kBeginIndex     ? "index"
             : spec.begin == kBeginKeyword ? "keyword"
                                           : "unknown");
  reply.Bulk("spec");
  if (spec.begin == kBeginIndex) {
    reply.MapHeader(1);
    reply.Bulk("index");
    reply.Integer(spec.begin_at);
  } else if (spec.begin == kBeginKeyword) {
    reply.MapHeader(2);
    reply.Bulk("keyword");
    reply.Bulk(spec.keyword);
    reply.Bulk("startfrom");
    reply.Integer(spec.begin_at);
  } else {
    reply.MapHeader(0);
  }
}

void FindKeysSpec(RespWriter& reply, const KeySpec& spec) {
  static constexpr std::string_view kRange[] = {"lastkey", "keystep", "limit"};
  static constexpr std::string_view kKeynum[] = {"keynumidx", "firstkey", "keystep"};
  reply.MapHeader(2);
  reply.Bulk("type");
  reply.Bulk(spec.find == kFindRange ? "range" : spec.find == kFindKeynum ? "keynum" : "unknown");
  reply.Bulk("spec");
  if (spec.find == kFindUnknown) return reply.MapHeader(0);
  reply.MapHeader(3);
  for (size_t i = 0; i < 3; ++i) {
    reply.Bulk(spec.find == kFindRange ? kRange[i] : kKeynum[i]);
    reply.Integer(spec.find_args[i]);
  }
}

// Redis 7.0 writes the key specs as a set (an array in RESP2).
void KeySpecs(RespWriter& reply, const CommandKeySpecs* row) {
  if (row == nullptr) return reply.SetHeader(0);
  reply.SetHeader(static_cast<int64_t>(row->specs.size()));
  for (const KeySpec& spec : row->specs) {
    reply.MapHeader(spec.notes.empty() ? 3 : 4);
    if (!spec.notes.empty()) {
      reply.Bulk("notes");
      reply.Bulk(spec.notes);
    }
    reply.Bulk("flags");
    KeyFlagSet(reply, spec.flags);
    reply.Bulk("begin_search");
    BeginSearch(reply, spec);
    reply.Bulk("find_keys");
    FindKeysSpec(reply, spec);
  }
}

// One COMMAND INFO row: a registered command, or (from the key-spec table and the ACL's
// units) a container's subcommand.
struct InfoRow {
  std::string_view name;
  int arity;
  uint32_t flags;
  KeyRange keys;
  uint32_t categories;
  const CommandKeySpecs* specs;  // nullptr: none
};

// Tips are kept space-separated; COMMAND INFO gives them as a set of bulk strings.
void Tips(RespWriter& reply, std::string_view tips) {
  std::vector<std::string_view> names;
  while (!tips.empty()) {
    size_t space = std::min(tips.find(' '), tips.size());
    names.push_back(tips.substr(0, space));
    tips.remove_prefix(std::min(space + 1, tips.size()));
  }
  reply.SetHeader(static_cast<int64_t>(names.size()));
  for (auto name : names) reply.Bulk(name);
}

void SubcommandInfo(RespWriter& reply, const CommandKeySpecs& sub);

void Info(RespWriter& reply, const InfoRow& row) {
  reply.ArrayHeader(10);
  reply.Bulk(row.name);
  reply.Integer(row.arity);
  auto flags = FlagNames(row.flags, row.specs);
  reply.SetHeader(static_cast<int64_t>(flags.size()));
  for (auto f : flags) reply.SimpleString(f);
  reply.Integer(row.keys.first);
  reply.Integer(row.keys.last);
  reply.Integer(row.keys.step);
  auto categories = CategoryNames(row.categories);
  reply.SetHeader(static_cast<int64_t>(categories.size()));
  for (auto category : categories) reply.SimpleString(category);
  Tips(reply, row.specs != nullptr ? row.specs->tips : std::string_view());
  KeySpecs(reply, row.specs);
  // Redis 7.0: a container's subcommands are an array of rows, anything else an empty set.
  auto subs = row.specs != nullptr ? SubcommandKeySpecs(row.name)
                                   : std::span<const CommandKeySpecs* const>{};
  if (subs.empty()) return reply.SetHeader(0);
  reply.ArrayHeader(static_cast<int64_t>(subs.size()));
  for (const CommandKeySpecs* sub : subs) SubcommandInfo(reply, *sub);
}

void SubcommandInfo(RespWriter& reply, const CommandKeySpecs& sub) {
  std::optional<size_t> unit = acl::FindUnit(sub.name);
  Info(reply, {sub.name, sub.arity, sub.flags, LegacyKeyRange(sub),
               unit ? acl::Units()[*unit].categories : 0, &sub});
}

void Info(CommandContext& ctx, const CommandSpec& c) {
  Info(ctx.reply, {c.name,
                   c.arity,
                   c.flags,
                   {c.first_key, c.last_key, c.key_step},
                   AclCategoriesOf(c),
                   FindKeySpecs(c.name)});
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
    // "config|get" names a subcommand, as in Redis 7.0
    const CommandKeySpecs* sub = c ? nullptr : FindKeySpecs(ctx.argv[i]);
    if (c != nullptr) {
      Info(ctx, *c);
    } else if (sub != nullptr && sub->name.find('|') != std::string_view::npos) {
      SubcommandInfo(ctx.reply, *sub);
    } else {
      ctx.reply.NullArray();
    }
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
  // Every command followed by its subcommands ("config|get"), as Redis 7.0 lists them.
  std::vector<std::string_view> names;
  for (const acl::Unit& unit : acl::Units()) {
    if (module) break;  // no modules: none belongs to one
    // Redis's subcommands the engine lacks have no docs row: not listed, never advertised.
    if (unit.parent != SIZE_MAX && FindCommandDoc(unit.name) == nullptr) continue;
    bool keep = !pattern || GlobMatch(value, unit.name, true);
    if (aclcat) {
      keep = false;
      for (const auto& category : CategoryNames(unit.categories)) {
        keep |= EqualsIgnoreCase(std::string_view(category).substr(1), value);
      }
    }
    if (keep) names.push_back(unit.name);
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
  const CommandKeySpecs* row = c ? FindKeySpecsOfLine(argv) : nullptr;
  if (row == nullptr) return ctx.reply.Error("ERR Invalid command specified");
  if (!MayHaveKeys(*row)) return ctx.reply.Error("ERR The command has no key arguments");
  // A subcommand's arity is Redis's (the registry holds only the container's).
  int arity = row->name.find('|') == std::string_view::npos ? c->arity : row->arity;
  int64_t argc = static_cast<int64_t>(argv.size());
  if ((arity > 0 && arity != argc) || argc < -arity) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  std::vector<KeyRef> keys = FindKeys(*row, argv);
  if (keys.empty() && !KeysOptional(row->name)) {
    return ctx.reply.Error("ERR Invalid arguments specified for command");
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(keys.size()));
  for (const KeyRef& key : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(argv[key.index]);
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(argv[key.index]);
    KeyFlagSet(ctx.reply, key.flags);
  }
}

// COMMAND DOCS [name ...]: every command, or the named ones ("parent|sub" too) that exist.
void Docs(CommandContext& ctx) {
  if (ctx.argv.size() == 2) {
    auto all = AllCommands();
    ctx.reply.MapHeader(static_cast<int64_t>(all.size()));
    for (const CommandSpec& c : all) {
      const CommandDoc* doc = FindCommandDoc(c.name);
      ctx.reply.Bulk(c.name);
      doc ? WriteCommandDocs(ctx.reply, *doc) : ctx.reply.MapHeader(0);
    }
    return;
  }
  std::vector<const CommandDoc*> found;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const CommandDoc* doc = FindCommandDoc(ctx.argv[i]);
    if (doc != nullptr) found.push_back(doc);
  }
  ctx.reply.MapHeader(static_cast<int64_t>(found.size()));
  for (const CommandDoc* doc : found) {
    ctx.reply.Bulk(doc->name);
    WriteCommandDocs(ctx.reply, *doc);
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
  if (sub == "docs") return Docs(ctx);
  if (sub == "count" || sub == "help") {
    return ctx.reply.Error("ERR wrong number of arguments for 'command|" + sub + "' command");
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1]) + "'. Try COMMAND HELP.");
}

}  // namespace strongbox::engine
