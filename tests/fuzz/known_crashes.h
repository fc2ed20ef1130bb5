// Inputs the fuzz targets step around because they hit a crash that is known and being fixed
// (each is saved in known_crashes/<target>/ with a README line), so a run explores past it
// instead of stopping there. Remove a rule when its fix lands and move its crasher to
// regressions/. STRONGBOX_FUZZ_KNOWN_CRASHES=1 turns every rule off to reproduce them.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace strongbox::fuzz {

inline bool KnownCrashesEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("STRONGBOX_FUZZ_KNOWN_CRASHES");
    return v != nullptr && std::string_view(v) == "1";
  }();
  return enabled;
}

// Like the engine's ParseInt: nullopt-free, `ok` false when not an int64.
inline int64_t ParseI64(std::string_view s, bool* ok) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  *ok = ec == std::errc() && p == s.data() + s.size() && !s.empty();
  return v;
}

inline bool NameIs(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// SETRANGE with an offset past 1 MiB: offset + length overflows in the size check and the
// string write aborts (known_crashes/commands/setrange-*). Offsets up to 512 MiB are valid but
// cost the fuzzer hundreds of MiB per input, so the whole range is skipped.
inline bool HugeSetrangeOffset(std::string_view offset) {
  bool ok = false;
  int64_t v = ParseI64(offset, &ok);
  return ok && v > (1 << 20);
}

// LREM with count INT64_MIN: ApplyOp negates it, undefined behaviour
// (known_crashes/commands/lrem-count-int64-min); the effect carries the same count.
inline bool LremCountInt64Min(std::span<const std::string_view> argv) {
  return NameIs(argv[0], "lrem") && argv.size() == 4 && argv[2] == "-9223372036854775808";
}

// An effect (a decoded record op) that would hit a known crash.
inline bool SkipKnownCrashEffect(std::span<const std::string_view> argv) {
  if (KnownCrashesEnabled() || argv.empty()) return false;
  if (LremCountInt64Min(argv)) return true;
  return NameIs(argv[0], "setrange") && argv.size() == 4 && HugeSetrangeOffset(argv[2]);
}

inline size_t CountStars(std::string_view pattern) {
  size_t n = 0;
  for (char c : pattern) n += c == '*';
  return n;
}

// A blocking command whose timeout in ms does not fit an int64 (huge, inf): the double to
// int64 conversion of the deadline is undefined behaviour (known_crashes/commands/blpop-*).
inline bool HugeBlockingTimeout(std::span<const std::string_view> argv) {
  constexpr std::string_view kBlocking[] = {"blpop",  "brpop",    "blmove",  "brpoplpush",
                                            "blmpop", "bzpopmin", "bzpopmax"};
  bool blocking = false;
  for (std::string_view b : kBlocking) blocking = blocking || NameIs(argv[0], b);
  if (!blocking) return false;
  for (std::string_view a : argv.subspan(1)) {
    std::string s(a);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && !s.empty() && !(std::fabs(v) < 9e15)) return true;
  }
  return false;
}

// A command that would hit a known crash.
inline bool SkipKnownCrashCommand(std::span<const std::string_view> argv) {
  if (KnownCrashesEnabled() || argv.empty()) return false;
  std::string_view name = argv[0];
  if (HugeBlockingTimeout(argv) || LremCountInt64Min(argv)) return true;
  if (NameIs(name, "setrange")) return argv.size() == 4 && HugeSetrangeOffset(argv[2]);
  // Huge negative counts (repeats allowed) build a reply of |count| elements: out of memory.
  if (NameIs(name, "hrandfield") || NameIs(name, "srandmember") || NameIs(name, "zrandmember")) {
    bool ok = false;
    return argv.size() >= 3 && ParseI64(argv[2], &ok) < -100000 && ok;
  }
  // The glob matcher backtracks exponentially in the number of stars: KEYS and every MATCH.
  if (NameIs(name, "keys") || NameIs(name, "scan") || NameIs(name, "hscan") ||
      NameIs(name, "sscan") || NameIs(name, "zscan")) {
    for (std::string_view a : argv) {
      if (CountStars(a) > 3) return true;
    }
  }
  return false;
}

}  // namespace strongbox::fuzz
