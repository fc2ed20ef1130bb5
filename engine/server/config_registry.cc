// The CONFIG parameter table: lookup, Redis 7.0's GET matching, all-or-nothing SET with its
// error texts, and the config file syntax REWRITE writes and the --config loader reads.
#include "engine/server/config_registry.h"

#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/util/check.h"
#include "engine/commands/glob.h"

namespace strongbox::engine {
namespace {

// Debian's Abseil has its own string_view.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(Absl(s)); }

std::string SetFailed(std::string_view arg, std::string_view why) {
  return absl::StrCat("ERR CONFIG SET failed (possibly related to argument '", Absl(arg), "') - ",
                      Absl(why));
}

std::string RangeError(const ConfigParam& p) {
  return absl::StrCat("argument must be between ", p.min, " and ", p.max, " inclusive");
}

// Digits, maybe after a minus, nothing else: as Redis's string2ll (SimpleAtoi takes spaces).
std::optional<int64_t> StrictInt(std::string_view s) {
  size_t digits = !s.empty() && s[0] == '-' ? 1 : 0;
  if (digits == s.size()) return std::nullopt;
  for (size_t i = digits; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(Absl(s), &n)) return std::nullopt;
  return n;
}

bool HasGlob(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

// Names of the file's directives we have, in their canonical spelling.
std::string CanonicalName(const ConfigRegistry& registry, std::string_view name) {
  const ConfigParam* p = registry.Find(name);
  return p != nullptr ? p->name : std::string();
}

// A multi-word value ("host port") is several arguments of the directive, not one string.
std::string DirectiveValue(const ConfigParam& p, const std::string& value) {
  return p.omit_when_empty ? value : QuoteConfigValue(value);
}

}  // namespace

std::optional<int64_t> ParseMemoryValue(std::string_view text) {
  std::string s = Lower(text);
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"gb", 1ll << 30}, {"mb", 1ll << 20}, {"kb", 1ll << 10}, {"g", 1000'000'000},
      {"m", 1000'000},   {"k", 1000},       {"b", 1}};
  int64_t unit = 1;
  for (const auto& [suffix, bytes] : kUnits) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      unit = bytes;
      s.resize(s.size() - suffix.size());
      break;
    }
  }
  std::optional<int64_t> parsed = StrictInt(s);
  if (!parsed) return std::nullopt;
  int64_t n = *parsed;
  if (n != 0 && (n > std::numeric_limits<int64_t>::max() / unit ||
                 n < std::numeric_limits<int64_t>::min() / unit)) {
    return std::nullopt;
  }
  return n * unit;
}

std::optional<std::pair<std::string, std::string>> ParseConfigLine(std::string_view line) {
  std::vector<std::string> args;
  size_t i = 0;
  while (true) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size() || (args.empty() && line[i] == '#')) break;
    std::string arg;
    if (line[i] == '"' || line[i] == '\'') {
      char quote = line[i++];
      while (i < line.size() && line[i] != quote) {
        if (quote == '"' && line[i] == '\\' && i + 1 < line.size()) {
          char c = line[++i];
          arg += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
        } else {
          arg += line[i];
        }
        ++i;
      }
      ++i;  // the closing quote
    } else {
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
        arg += line[i++];
      }
    }
    args.push_back(std::move(arg));
  }
  if (args.empty()) return std::nullopt;
  std::string name = Lower(args[0]);
  args.erase(args.begin());
  return std::make_pair(name, absl::StrJoin(args, " "));
}

std::string QuoteConfigValue(std::string_view value) {
  bool plain = !value.empty() && value.front() != ' ' && value.back() != ' ' &&
               value.find("  ") == std::string_view::npos;
  for (char c : value) {
    if (c == '"' || c == '\'' || c == '\\' || c == '#' ||
        !std::isprint(static_cast<unsigned char>(c))) {
      plain = false;
    }
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void ConfigRegistry::Add(ConfigParam param) {
  SB_CHECK(param.get != nullptr, "config '%s' has no getter", param.name.c_str());
  SB_CHECK(Find(param.name) == nullptr, "config '%s' added twice", param.name.c_str());
  for (const auto& alias : param.aliases) {
    SB_CHECK(Find(alias) == nullptr, "config alias '%s' added twice", alias.c_str());
  }
  params_.push_back(std::move(param));
}

const ConfigParam* ConfigRegistry::Find(std::string_view name) const {
  std::string lower = Lower(name);
  for (const ConfigParam& p : params_) {
    if (p.name == lower) return &p;
    for (const auto& alias : p.aliases) {
      if (alias == lower) return &p;
    }
  }
  return nullptr;
}

std::vector<ConfigPair> ConfigRegistry::Get(std::span<const std::string_view> patterns) const {
  std::vector<ConfigPair> out;
  absl::flat_hash_set<std::string> seen;  // reply names, each once
  auto add = [&](std::string_view reply_name, const ConfigParam& p) {
    if (seen.insert(std::string(reply_name)).second) out.emplace_back(reply_name, p.get());
  };
  for (std::string_view pattern : patterns) {
    if (!HasGlob(pattern)) {
      if (const ConfigParam* p = Find(pattern)) add(pattern, *p);
      continue;
    }
    for (const ConfigParam& p : params_) {
      if (GlobMatch(pattern, p.name, true)) add(p.name, p);
      for (const auto& alias : p.aliases) {
        if (GlobMatch(pattern, alias, true)) add(alias, p);
      }
    }
  }
  return out;
}

std::string ConfigRegistry::Check(const ConfigParam& p, std::string_view value) {
  switch (p.type) {
    case ConfigType::kBool: {
      std::string v = Lower(value);
      return v == "yes" || v == "no" ? "" : "argument must be 'yes' or 'no'";
    }
    case ConfigType::kInt: {
      std::optional<int64_t> n = StrictInt(value);
      if (!n) return "argument couldn't be parsed into an integer";
      return *n < p.min || *n > p.max ? RangeError(p) : "";
    }
    case ConfigType::kMemory: {
      auto n = ParseMemoryValue(value);
      if (!n) return "argument must be a memory value";
      return *n < p.min || *n > p.max ? RangeError(p) : "";
    }
    case ConfigType::kEnum:
      for (const auto& v : p.enum_values) {
        if (Lower(value) == v) return "";
      }
      return absl::StrCat("argument(s) must be one of the following: ",
                          absl::StrJoin(p.enum_values, ", "));
    case ConfigType::kString:
    case ConfigType::kSpecial:
      return "";
  }
  return "";
}

std::string ConfigRegistry::Set(std::span<const std::string_view> pairs) {
  // Names first, as Redis 7.0: unknown, immutable and duplicate before any value is looked at.
  std::vector<const ConfigParam*> params;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    const ConfigParam* p = Find(pairs[i]);
    if (p == nullptr) {
      return absl::StrCat("ERR Unknown option or number of arguments for CONFIG SET - '",
                          Absl(pairs[i]), "'");
    }
    if (!p->set) return SetFailed(pairs[i], "can't set immutable config");
    for (const ConfigParam* q : params) {
      if (q == p) return SetFailed(pairs[i], "duplicate parameter");
    }
    params.push_back(p);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    std::string why = Check(*params[i], pairs[2 * i + 1]);
    if (!why.empty()) return SetFailed(Lower(pairs[2 * i]), why);  // lower case, as Redis
  }
  // A setter may still refuse (its own parsing): the ones applied before it are put back.
  std::vector<std::string> before;
  for (const ConfigParam* p : params) before.push_back(p->get());
  for (size_t i = 0; i < params.size(); ++i) {
    std::string why = params[i]->set(pairs[2 * i + 1]);
    if (why.empty()) continue;
    for (size_t j = 0; j < i; ++j) params[j]->set(before[j]);
    return SetFailed(Lower(pairs[2 * i]), why);
  }
  return "";
}

std::string ConfigRegistry::RewriteText(std::string_view old_text) const {
  std::string out;
  absl::flat_hash_set<std::string> written;
  for (absl::string_view piece : absl::StrSplit(Absl(old_text), '\n')) {
    std::string_view line(piece.data(), piece.size());
    if (line.ends_with('\r')) line.remove_suffix(1);
    auto directive = ParseConfigLine(line);
    std::string name = directive ? CanonicalName(*this, directive->first) : "";
    const ConfigParam* p = name.empty() ? nullptr : Find(name);
    if (p == nullptr || !p->rewritable) {  // comments, blanks, directives we do not have
      if (!line.empty() || !out.empty()) absl::StrAppend(&out, Absl(line), "\n");
      continue;
    }
    if (!written.insert(name).second) continue;  // a later occurrence: the first holds it now
    std::string value = p->get();
    if (p->omit_when_empty && value.empty()) continue;
    absl::StrAppend(&out, name, " ", DirectiveValue(*p, value), "\n");
  }
  while (out.ends_with("\n\n")) out.pop_back();
  bool header = false;
  for (const ConfigParam& p : params_) {
    if (!p.rewritable || written.contains(p.name)) continue;
    std::string value = p.get();
    if (value == p.default_value) continue;
    if (!header) {
      absl::StrAppend(&out, "# Generated by CONFIG REWRITE\n");
      header = true;
    }
    absl::StrAppend(&out, p.name, " ", DirectiveValue(p, value), "\n");
  }
  return out;
}

}  // namespace strongbox::engine
