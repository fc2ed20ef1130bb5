// The engine's log lines on stderr, and the exit for errors whose outcome on disk is unknown.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace strongbox::engine {

inline void LogLine(const std::string& message) {
  std::fprintf(stderr, "strongbox-engine: %s\n", message.c_str());
}

// Exits without running destructors or flushing anything: the on-disk state is whatever was
// made durable, and recovery at the next start decides from there.
[[noreturn]] inline void FatalExit(const std::string& message) {
  LogLine("FATAL: " + message);
  std::fflush(stderr);
  std::_Exit(2);
}

}  // namespace strongbox::engine
