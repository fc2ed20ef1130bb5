// ACL LOG grouping and its length cap.
#include "engine/acl/acl_log.h"

namespace strongbox::engine::acl {

void AclLog::Add(AclLogEntry entry, int64_t now_ms) {
  // Like Redis 7.0, only the 10 newest entries are candidates for grouping.
  size_t scanned = 0;
  for (auto it = entries_.begin(); it != entries_.end() && scanned < kGroupingScan;
       ++it, ++scanned) {
    bool same = it->reason == entry.reason && it->context == entry.context &&
                it->object == entry.object && it->username == entry.username;
    if (!same || now_ms - it->updated_ms > kGroupingMs) continue;
    AclLogEntry grouped = std::move(*it);
    entries_.erase(it);
    grouped.count++;
    grouped.updated_ms = now_ms;
    grouped.client_info = std::move(entry.client_info);
    entries_.push_front(std::move(grouped));
    return;
  }
  entry.updated_ms = now_ms;
  entries_.push_front(std::move(entry));
  if (entries_.size() > kEntriesMax) entries_.pop_back();
}

}  // namespace strongbox::engine::acl
