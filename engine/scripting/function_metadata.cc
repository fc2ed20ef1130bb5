// The shebang of a function library and the names of function flags.
#include "engine/scripting/function_metadata.h"

#include <array>
#include <vector>

#include "common/util/ascii.h"

namespace strongbox::scripting {
namespace {

constexpr std::array<std::string_view, kFunctionFlagCount> kFlagNames = {
    "no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"};

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) parts.push_back(line.substr(start, i - start));
  }
  return parts;
}

}  // namespace

std::string_view FunctionFlagName(int bit) { return kFlagNames[static_cast<size_t>(bit)]; }

std::optional<uint32_t> ParseFunctionFlag(std::string_view name) {
  for (size_t i = 0; i < kFlagNames.size(); ++i) {
    if (name == kFlagNames[i]) return 1u << i;
  }
  return std::nullopt;
}

bool ValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ParseLibraryMetadata(std::string_view text, LibraryMetadata* md, std::string* error) {
  if (text.substr(0, 2) != "#!") {
    *error = "Missing library metadata";
    return false;
  }
  size_t line_end = text.find('\n');
  std::vector<std::string_view> parts = line_end == std::string_view::npos
                                            ? std::vector<std::string_view>{}
                                            : SplitSpaces(text.substr(0, line_end));
  if (parts.empty()) {
    *error = "Invalid library metadata";
    return false;
  }
  std::string_view engine = parts[0].substr(2);
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && EqualsIgnoreCase(parts[i].substr(0, 5), "name=")) {
      if (named) {
        *error = "Invalid metadata value, name argument was given multiple times";
        return false;
      }
      named = true;
      md->name = std::string(parts[i].substr(5));
      continue;
    }
    *error = "Invalid metadata value given: " + std::string(parts[i]);
    return false;
  }
  if (!named) {
    *error = "Library name was not given";
    return false;
  }
  if (!ValidFunctionName(md->name)) {
    *error =
        "Library names can only contain letters, numbers, or underscores(_) and must be at least "
        "one character long";
    return false;
  }
  if (!EqualsIgnoreCase(engine, "lua")) {
    *error = "Engine '" + std::string(engine) + "' not found";
    return false;
  }
  md->code = text.substr(line_end);
  return true;
}

}  // namespace strongbox::scripting
