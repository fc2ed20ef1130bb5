// The slow log's entries and their trimming (see slowlog.h).
#include "engine/commands/slowlog.h"

#include "absl/strings/str_cat.h"

namespace strongbox::engine {

std::vector<std::string> TrimSlowlogArgv(std::span<const std::string_view> argv) {
  size_t kept = std::min(argv.size(), kSlowlogArgsMax);
  std::vector<std::string> out;
  out.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != argv.size() && i == kept - 1) {
      // The last slot says how many arguments it stands for (itself included).
      out.push_back(absl::StrCat("... (", argv.size() - kept + 1, " more arguments)"));
    } else if (argv[i].size() > kSlowlogArgBytesMax) {
      out.push_back(absl::StrCat(std::string(argv[i].substr(0, kSlowlogArgBytesMax)), "... (",
                                 argv[i].size() - kSlowlogArgBytesMax, " more bytes)"));
    } else {
      out.emplace_back(argv[i]);
    }
  }
  return out;
}

void SlowLog::MaybeAdd(int64_t duration_us, SlowlogEntry entry) {
  if (slower_than_us_ < 0) return;  // off: a smaller max_len waits too, as in Redis
  if (WouldLog(duration_us)) {
    entry.id = next_id_++;
    entry.duration_us = duration_us;
    entries_.push_front(std::move(entry));
  }
  while (entries_.size() > static_cast<size_t>(max_len_)) entries_.pop_back();
}

}  // namespace strongbox::engine
