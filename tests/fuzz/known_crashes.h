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

// SETRANGE with an offset past 1 MiB. Those crashes are fixed (regressions/commands/setrange-*,
// regressions/record_codec/setrange-*), but offsets up to the string limit are valid and cost
// the fuzzer hundreds of MiB per input, so that range stays skipped: a memory guard, not a
// crash. Offsets past `valid_max` are refused cheaply and stay in, as regressions.
inline bool HugeSetrangeOffset(std::string_view offset, int64_t valid_max) {
  bool ok = false;
  int64_t v = ParseI64(offset, &ok);
  return ok && v > (1 << 20) && v <= valid_max;
}

// An effect (a decoded record op) to step around.
inline bool SkipKnownCrashEffect(std::span<const std::string_view> argv) {
  if (KnownCrashesEnabled() || argv.empty()) return false;
  return NameIs(argv[0], "setrange") && argv.size() == 4 &&
         HugeSetrangeOffset(argv[2], int64_t{UINT32_MAX});  // state::kStringBytesMax
}

// A command to step around.
inline bool SkipKnownCrashCommand(std::span<const std::string_view> argv) {
  if (KnownCrashesEnabled() || argv.empty()) return false;
  std::string_view name = argv[0];
  // 512 MiB: the engine's string limit (proto-max-bulk-len)
  if (NameIs(name, "setrange")) return argv.size() == 4 && HugeSetrangeOffset(argv[2], 512 << 20);
  // SETBIT past 1 MiB grows the string to up to 512 MiB, which every later command's state digest
  // then reads: a time and memory guard like SETRANGE's. Offsets past 2^32 - 1 are refused
  // cheaply and stay in.
  if (NameIs(name, "setbit")) {
    bool ok = false;
    int64_t bit = argv.size() == 4 ? ParseI64(argv[2], &ok) : 0;
    return ok && bit > (int64_t{8} << 20) && bit <= int64_t{UINT32_MAX};
  }
  // DEBUG SLEEP sleeps the process on purpose (up to an hour): a time guard, not a crash.
  if (NameIs(name, "debug")) return argv.size() >= 2 && NameIs(argv[1], "sleep");
  return false;
}

}  // namespace strongbox::fuzz
