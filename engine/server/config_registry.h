// The CONFIG parameters: one row per parameter the engine really has, with the value in effect
// (getter) and what applies a new one (setter; none = immutable). CONFIG GET/SET/REWRITE and
// the --config file all go through this table, so a parameter added here is listed, settable,
// rewritten and loaded at once, and nothing is listed that the engine does not do.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strongbox::engine {

enum class ConfigType {
  kBool,     // yes|no
  kInt,      // integer within [min, max]
  kMemory,   // bytes within [min, max]; accepts redis.conf units (1k, 1kb, 1mb, 1gb...)
  kEnum,     // one of enum_values
  kString,   // any text
  kSpecial,  // the setter parses and says why a value is bad
};

struct ConfigParam {
  std::string name;                  // lower case, as Redis 7.0 names it
  std::vector<std::string> aliases;  // Redis's other names for it (lua-time-limit...)
  ConfigType type = ConfigType::kString;
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  std::vector<std::string> enum_values;
  // The value in effect, as CONFIG GET prints it.
  std::function<std::string()> get;
  // Applies a value already checked against the type; returns "" or Redis's reason it failed.
  // Empty: immutable while running (CONFIG SET refuses; the --config file may still set it).
  std::function<std::string(std::string_view)> set;
  // Written by CONFIG REWRITE (false for facts such as `databases` no file can change).
  bool rewritable = true;
  // The value with no flag and no config file; REWRITE leaves out parameters still at it.
  std::string default_value;
  // REWRITE writes no directive while the value is "" and removes the file's (replicaof on a
  // primary, as Redis 7.0); a value of several words is written unquoted.
  bool omit_when_empty = false;
};

// A reply pair of CONFIG GET: the name as matched, the value in effect.
using ConfigPair = std::pair<std::string, std::string>;

class ConfigRegistry {
 public:
  // A malformed row (no getter, duplicate name) stops the process: rows are code, not input.
  void Add(ConfigParam param);
  // Case-insensitive, by name or alias; nullptr if unknown.
  const ConfigParam* Find(std::string_view name) const;
  std::span<const ConfigParam> all() const { return params_; }

  // CONFIG GET pattern...: an exact name is answered under the name as given; a glob matches
  // names and aliases (each parameter once per name).
  std::vector<ConfigPair> Get(std::span<const std::string_view> patterns) const;
  // CONFIG SET name value [name value...]: all or nothing. Returns "" or the full error line
  // Redis 7.0 gives (unknown option, immutable, duplicate, bad value).
  std::string Set(std::span<const std::string_view> name_value_pairs);
  // Checks value against param's type; "" or Redis's reason.
  static std::string Check(const ConfigParam& param, std::string_view value);

  // The text of a config file after CONFIG REWRITE of old_text: a directive we have gets its
  // value in effect (further occurrences dropped), comments and unknown directives stay, and
  // parameters not in the file that differ from their default are appended.
  std::string RewriteText(std::string_view old_text) const;

 private:
  std::vector<ConfigParam> params_;
};

// redis.conf memory values: "100", "1k" (1000), "1kb" (1024), "5mb", "2gb"; case-insensitive.
std::optional<int64_t> ParseMemoryValue(std::string_view text);

// One directive of a redis.conf file: the name (lower case) and its arguments joined by a
// space (quotes removed). Blank lines and comments give nullopt.
std::optional<std::pair<std::string, std::string>> ParseConfigLine(std::string_view line);

// A value as a config file line needs it: quoted when empty or when it holds spaces or quotes.
std::string QuoteConfigValue(std::string_view value);

}  // namespace strongbox::engine
