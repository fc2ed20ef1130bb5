// Parking, waking and timing out blocked clients (see blocked_clients.h).
#include "engine/server/blocked_clients.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace strongbox::engine {

std::string BlockedClients::KeyName(uint8_t db, std::string_view key) {
  return absl::StrCat(db, ":", absl::string_view(key.data(), key.size()));
}

void BlockedClients::Park(Conn& c, std::span<const std::string_view> argv) {
  c.blocked = true;
  ++count_;
  if (c.session.block.rerun_argv.empty()) {
    c.blocked_argv.assign(argv.begin(), argv.end());
  } else {
    c.blocked_argv = std::move(c.session.block.rerun_argv);
    c.session.block.rerun_argv.clear();
  }
  for (const auto& [db, key] : c.session.block.keys) by_key_[KeyName(db, key)].push_back(c.id);
}

void BlockedClients::Unpark(Conn& c) {
  if (!c.blocked) return;
  c.blocked = false;
  --count_;
  for (const auto& [db, key] : c.session.block.keys) {
    auto it = by_key_.find(KeyName(db, key));
    if (it == by_key_.end()) continue;
    auto& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), c.id), ids.end());
    if (ids.empty()) by_key_.erase(it);
  }
  c.session.block = ClientSession::BlockRequest();
}

void BlockedClients::OnKeyTouched(uint8_t db, std::string_view key) {
  if (by_key_.empty()) return;
  std::string name = KeyName(db, key);
  if (by_key_.contains(name)) ready_keys_.push_back(std::move(name));
}

void BlockedClients::OnDatabaseTouched(int db) {
  std::string prefix = db < 0 ? "" : absl::StrCat(db, ":");
  for (const auto& [name, ids] : by_key_) {
    if (name.starts_with(prefix)) ready_keys_.push_back(name);
  }
}

void BlockedClients::ServeReady(const Rerun& rerun) {
  for (int rounds = 0; !ready_keys_.empty() && rounds < 1000; ++rounds) {
    std::vector<std::string> keys;
    keys.swap(ready_keys_);
    for (const std::string& name : keys) {
      auto it = by_key_.find(name);
      if (it == by_key_.end()) continue;
      std::vector<uint64_t> ids = it->second;  // rerun changes the list
      for (uint64_t id : ids) {
        auto conn = conns_.find(id);
        if (conn == conns_.end() || !conn->second->blocked) continue;
        Conn& c = *conn->second;
        std::vector<std::string> owned = std::move(c.blocked_argv);
        int64_t deadline_ms = c.session.block.deadline_ms;
        Unpark(c);
        std::vector<std::string_view> argv(owned.begin(), owned.end());
        rerun(c, argv);
        if (c.blocked) c.session.block.deadline_ms = deadline_ms;
      }
    }
  }
}

void BlockedClients::ExpireDue(int64_t now_ms, const std::function<void(Conn&)>& on_timeout) {
  if (count_ == 0) return;
  for (auto& [id, conn] : conns_) {
    Conn& c = *conn;
    if (!c.blocked || c.session.block.deadline_ms == 0 || c.session.block.deadline_ms > now_ms) {
      continue;
    }
    Unpark(c);
    c.blocked_argv.clear();
    on_timeout(c);
  }
}

}  // namespace strongbox::engine
