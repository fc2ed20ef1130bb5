// ACL LOG: the recent permission denials and failed AUTHs, newest first, with Redis 7.0's
// grouping (the same reason, context, object and user within 60 s of its last occurrence, among
// the 10 newest entries, count as one entry).
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace strongbox::engine::acl {

struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;   // command, key, channel, auth
  std::string context;  // toplevel, multi, lua
  std::string object;   // the command, key or channel refused ("auth" for AUTH)
  std::string username;
  std::string client_info;  // the client's CLIENT LIST line
  // When it was last added to: Redis 7.0's age-seconds and its grouping window count from here.
  int64_t updated_ms = 0;
};

class AclLog {
 public:
  static constexpr size_t kEntriesMax = 128;  // Redis's acllog-max-len default
  static constexpr int64_t kGroupingMs = 60'000;
  static constexpr size_t kGroupingScan = 10;

  void Add(AclLogEntry entry, int64_t now_ms);
  void Reset() { entries_.clear(); }
  const std::deque<AclLogEntry>& entries() const { return entries_; }

 private:
  std::deque<AclLogEntry> entries_;  // newest first
};

}  // namespace strongbox::engine::acl
