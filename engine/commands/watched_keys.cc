// WATCH registry (see watched_keys.h).
#include "engine/commands/watched_keys.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strongbox::engine {

std::string WatchedKeys::KeyName(uint8_t db, std::string_view key) {
  return absl::StrCat(db, ":", absl::string_view(key.data(), key.size()));
}

void WatchedKeys::Watch(ClientSession& session, uint8_t db, std::string_view key) {
  auto& sessions = watchers_[KeyName(db, key)];
  if (std::find(sessions.begin(), sessions.end(), &session) == sessions.end()) {
    sessions.push_back(&session);
  }
  session.watched_keys.emplace_back(db, std::string(key));
}

void WatchedKeys::UnwatchAll(ClientSession& session) {
  for (const auto& [db, key] : session.watched_keys) {
    auto it = watchers_.find(KeyName(db, key));
    if (it == watchers_.end()) continue;
    auto& sessions = it->second;
    sessions.erase(std::remove(sessions.begin(), sessions.end(), &session), sessions.end());
    if (sessions.empty()) watchers_.erase(it);
  }
  session.watched_keys.clear();
}

void WatchedKeys::Touch(uint8_t db, std::string_view key) {
  if (watchers_.empty()) return;
  auto it = watchers_.find(KeyName(db, key));
  if (it == watchers_.end()) return;
  for (ClientSession* session : it->second) session->watch_dirty = true;
}

void WatchedKeys::TouchDb(int db) {
  std::string prefix = absl::StrCat(db, ":");
  for (auto& [name, sessions] : watchers_) {
    if (db >= 0 && !absl::StartsWith(name, prefix)) continue;
    for (ClientSession* session : sessions) session->watch_dirty = true;
  }
}

}  // namespace strongbox::engine
