// COMMAND DOCS replies: one map per command as Redis 7.0 writes it (RESP2 flattens maps into
// arrays and sets into arrays; the flag names are status strings in both).
#include "engine/commands/command_docs.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

struct DocIndex {
  absl::flat_hash_map<std::string, const CommandDoc*> by_name;
  absl::flat_hash_map<std::string, std::vector<const CommandDoc*>> subcommands;
};

const DocIndex& Index() {
  static const DocIndex* index = [] {
    auto* out = new DocIndex();
    for (const CommandDoc& doc : AllCommandDocs()) {
      out->by_name.emplace(std::string(doc.name), &doc);
      size_t bar = doc.name.find('|');
      if (bar != std::string_view::npos) {
        out->subcommands[std::string(doc.name.substr(0, bar))].push_back(&doc);
      }
    }
    return out;
  }();
  return *index;
}

std::string_view TypeName(ArgType type) {
  switch (type) {
    case ArgType::kString:
      return "string";
    case ArgType::kInteger:
      return "integer";
    case ArgType::kDouble:
      return "double";
    case ArgType::kKey:
      return "key";
    case ArgType::kPattern:
      return "pattern";
    case ArgType::kUnixTime:
      return "unix-time";
    case ArgType::kPureToken:
      return "pure-token";
    case ArgType::kOneof:
      return "oneof";
    case ArgType::kBlock:
      return "block";
  }
  return "string";
}

void OptionalField(RespWriter& reply, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  reply.Bulk(key);
  reply.Bulk(value);
}

void WriteArgs(RespWriter& reply, const ArgList& args) {
  static constexpr FlagName kFlagNames[] = {{kArgOptional, "optional"},
                                            {kArgMultiple, "multiple"},
                                            {kArgMultipleToken, "multiple_token"}};
  reply.ArrayHeader(static_cast<int64_t>(args.size));
  for (const ArgDoc& arg : args) {
    bool nested = arg.type == ArgType::kOneof || arg.type == ArgType::kBlock;
    reply.MapHeader(2 + (arg.key_spec_index >= 0) + !arg.token.empty() + !arg.since.empty() +
                    !arg.deprecated_since.empty() + (arg.flags != 0) + nested);
    reply.Bulk("name");
    reply.Bulk(arg.name);
    reply.Bulk("type");
    reply.Bulk(TypeName(arg.type));
    if (arg.key_spec_index >= 0) {
      reply.Bulk("key_spec_index");
      reply.Integer(arg.key_spec_index);
    }
    OptionalField(reply, "token", arg.token);
    OptionalField(reply, "since", arg.since);
    OptionalField(reply, "deprecated_since", arg.deprecated_since);
    if (arg.flags != 0) {
      reply.Bulk("flags");
      WriteFlagSet(reply, arg.flags, kFlagNames);
    }
    if (nested) {
      reply.Bulk("arguments");
      WriteArgs(reply, arg.arguments);
    }
  }
}

}  // namespace

void WriteFlagSet(RespWriter& reply, uint32_t flags, std::span<const FlagName> names) {
  int64_t count = 0;
  for (const auto& [bit, name] : names) count += (flags & bit) ? 1 : 0;
  reply.SetHeader(count);
  for (const auto& [bit, name] : names) {
    if (flags & bit) reply.SimpleString(name);
  }
}

const CommandDoc* FindCommandDoc(std::string_view name) {
  auto it = Index().by_name.find(ToLower(name));
  return it == Index().by_name.end() ? nullptr : it->second;
}

void WriteCommandDocs(RespWriter& reply, const CommandDoc& doc) {
  static constexpr FlagName kDocFlagNames[] = {{kDocDeprecated, "deprecated"},
                                               {kDocSyscmd, "syscmd"}};
  auto subs = Index().subcommands.find(std::string(doc.name));
  bool has_subs = subs != Index().subcommands.end();
  reply.MapHeader(3 + !doc.complexity.empty() + (doc.doc_flags != 0) +
                  !doc.deprecated_since.empty() + !doc.replaced_by.empty() +
                  (doc.arguments.size > 0) + has_subs);
  reply.Bulk("summary");
  reply.Bulk(doc.summary);
  reply.Bulk("since");
  reply.Bulk(doc.since);
  reply.Bulk("group");
  reply.Bulk(doc.group);
  OptionalField(reply, "complexity", doc.complexity);
  if (doc.doc_flags != 0) {
    reply.Bulk("doc_flags");
    WriteFlagSet(reply, doc.doc_flags, kDocFlagNames);
  }
  OptionalField(reply, "deprecated_since", doc.deprecated_since);
  OptionalField(reply, "replaced_by", doc.replaced_by);
  if (doc.arguments.size > 0) {
    reply.Bulk("arguments");
    WriteArgs(reply, doc.arguments);
  }
  if (has_subs) {
    reply.Bulk("subcommands");
    reply.MapHeader(static_cast<int64_t>(subs->second.size()));
    for (const CommandDoc* sub : subs->second) {
      reply.Bulk(sub->name);
      WriteCommandDocs(reply, *sub);
    }
  }
}

}  // namespace strongbox::engine
