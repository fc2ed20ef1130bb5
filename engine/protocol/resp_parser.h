// Incremental RESP request parser (multibulk and inline), with the protocol limits that keep
// one client from taking unbounded memory. Arguments are views into the client's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strongbox::engine {

struct ParserLimits {
  int64_t bulk_bytes_max = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t args_max = 1024 * 1024;                // multibulk length
  size_t inline_bytes_max = 64 * 1024;           // inline command line
};

enum class ParseStatus { kOk, kIncomplete, kError };

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;  // bytes of the command (kOk)
  std::string error;    // kError: the message for "-ERR Protocol error: ..."
  // kIncomplete: bytes the command needs at least (0 = unknown); lets the reader size its
  // buffer for a large bulk instead of growing it step by step.
  size_t needed_bytes = 0;
};

// Parses one command at the start of `buf` into `argv` (views into buf).
ParseResult ParseCommand(std::string_view buf, const ParserLimits& limits,
                         std::vector<std::string_view>* argv);

}  // namespace strongbox::engine
