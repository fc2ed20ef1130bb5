// client-output-buffer-limit parsing and text (see output_buffer_limit.h).
#include "engine/server/output_buffer_limit.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {

std::optional<int64_t> ParseMemory(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024 * 1024 * 1024},
      {"k", 1000},  {"m", 1000 * 1000},  {"g", 1000 * 1000 * 1000},
      {"b", 1}};
  std::string lower = ToLower(text);
  int64_t unit = 1;
  std::string_view digits = lower;
  for (const auto& [suffix, bytes] : kUnits) {
    if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
      digits.remove_suffix(suffix.size());
      unit = bytes;
      break;
    }
  }
  std::optional<int64_t> value = ParseInt(digits);
  if (!value || *value < 0 || *value > INT64_MAX / unit) return std::nullopt;
  return *value * unit;
}

namespace {

std::optional<int> ClassIndex(std::string_view name) {
  std::string lower = ToLower(name);
  if (lower == "normal") return OutputBufferLimits::kNormal;
  if (lower == "slave" || lower == "replica") return OutputBufferLimits::kReplica;
  if (lower == "pubsub") return OutputBufferLimits::kPubSub;
  return std::nullopt;
}

}  // namespace

std::string OutputBufferLimits::ToConfigText() const {
  static constexpr std::string_view kNames[] = {"normal", "slave", "pubsub"};
  std::string out;
  for (size_t i = 0; i < by_class.size(); ++i) {
    const OutputBufferLimit& l = by_class[i];
    absl::StrAppend(&out, i ? " " : "", std::string(kNames[i]), " ", l.hard_bytes, " ",
                    l.soft_bytes, " ", l.soft_seconds);
  }
  return out;
}

bool OutputBufferLimits::Set(std::string_view text, std::string* error) {
  std::vector<std::string_view> words;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.find(' ', pos), text.size());
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (words.size() % 4 != 0) {
    *error = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  std::array<OutputBufferLimit, 3> updated = by_class;
  for (size_t i = 0; i < words.size(); i += 4) {
    auto index = ClassIndex(words[i]);
    if (!index) {
      *error = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    auto hard = ParseMemory(words[i + 1]), soft = ParseMemory(words[i + 2]);
    std::optional<int64_t> seconds = ParseInt(words[i + 3]);
    if (!hard || !soft || !seconds || *seconds < 0) {
      *error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return false;
    }
    updated[*index] = OutputBufferLimit{*hard, *soft, *seconds};
  }
  by_class = updated;
  return true;
}

}  // namespace strongbox::engine
