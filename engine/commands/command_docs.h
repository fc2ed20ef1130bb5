// COMMAND DOCS: what each command is for, since which Redis version, its group, complexity and
// argument grammar, as Redis 7.0 reports them (clients such as redis-cli build their hints
// from it). The rows are data (command_docs_table.cc, one per command or "parent|sub"
// subcommand); this file holds their shape and the reply that writes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "engine/protocol/resp_writer.h"

namespace strongbox::engine {

enum class ArgType : uint8_t {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneof,  // exactly one of `arguments`
  kBlock,  // all of `arguments`, in order
};

enum ArgFlag : uint8_t {
  kArgOptional = 1u << 0,
  kArgMultiple = 1u << 1,
  kArgMultipleToken = 1u << 2,  // the token repeats before each value
};

enum DocFlag : uint8_t {
  kDocDeprecated = 1u << 0,
  kDocSyscmd = 1u << 1,
};

struct ArgDoc;

// The nested arguments of a oneof or block (a span cannot name the incomplete ArgDoc).
struct ArgList {
  const ArgDoc* data = nullptr;
  size_t size = 0;
  constexpr ArgList() = default;
  template <size_t N>
  constexpr ArgList(const ArgDoc (&args)[N]) : data(args), size(N) {}  // NOLINT: data rows
  const ArgDoc* begin() const { return data; }
  const ArgDoc* end() const;
};

struct ArgDoc {
  std::string_view name;
  ArgType type;
  int key_spec_index = -1;  // into the command's key specs, -1 = not a key
  std::string_view token = {};
  uint8_t flags = 0;  // ArgFlag
  std::string_view since = {};
  std::string_view deprecated_since = {};
  ArgList arguments = {};
};

struct CommandDoc {
  std::string_view name;  // "get", "config|get"
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity;
  ArgList arguments = {};
  uint8_t doc_flags = 0;  // DocFlag
  std::string_view deprecated_since = {};
  std::string_view replaced_by = {};
};

inline const ArgDoc* ArgList::end() const { return data + size; }

// Every row, parents before their subcommands (command_docs_table.cc).
std::span<const CommandDoc> AllCommandDocs();

// The row of a command or "parent|sub" subcommand (case-insensitive); nullptr if none.
const CommandDoc* FindCommandDoc(std::string_view name);

// A set of status strings: the names of the bits set in `flags`, in the table's order (how
// COMMAND reports argument, doc and key-spec flags).
using FlagName = std::pair<uint32_t, std::string_view>;
void WriteFlagSet(RespWriter& reply, uint32_t flags, std::span<const FlagName> names);

// One command's documentation map (its subcommands' maps nested under "subcommands").
void WriteCommandDocs(RespWriter& reply, const CommandDoc& doc);

}  // namespace strongbox::engine
