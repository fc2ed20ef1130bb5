// Pub/Sub's registry (see pubsub_registry.h).
#include "engine/commands/pubsub_registry.h"

#include <algorithm>

#include "engine/commands/glob.h"

namespace strongbox::engine {
namespace {

template <typename T, typename V>
bool EraseOne(std::vector<T>& items, const V& value) {
  auto it = std::find(items.begin(), items.end(), value);
  if (it == items.end()) return false;
  items.erase(it);
  return true;
}

// Debian's abseil has its own string_view: heterogeneous lookups need one.
absl::string_view Key(std::string_view name) { return {name.data(), name.size()}; }

}  // namespace

bool PubSubRegistry::Subscribe(PubSubKind kind, uint64_t client, std::string_view name) {
  std::vector<std::string>& mine = by_client_[client][Index(kind)];
  if (std::find(mine.begin(), mine.end(), name) != mine.end()) return false;
  mine.emplace_back(name);
  by_name_[Index(kind)][std::string(name)].push_back(client);
  return true;
}

bool PubSubRegistry::Unsubscribe(PubSubKind kind, uint64_t client, std::string_view name) {
  auto mine = by_client_.find(client);
  if (mine == by_client_.end() || !EraseOne(mine->second[Index(kind)], name)) return false;
  auto& names = by_name_[Index(kind)];
  auto subscribers = names.find(Key(name));
  if (subscribers != names.end()) {
    EraseOne(subscribers->second, client);
    if (subscribers->second.empty()) names.erase(subscribers);
  }
  const auto& all = mine->second;
  if (all[0].empty() && all[1].empty() && all[2].empty()) by_client_.erase(mine);
  return true;
}

std::vector<std::string> PubSubRegistry::SubscriptionsOf(PubSubKind kind, uint64_t client) const {
  auto mine = by_client_.find(client);
  if (mine == by_client_.end()) return {};
  return mine->second[Index(kind)];
}

size_t PubSubRegistry::CountOf(PubSubKind kind, uint64_t client) const {
  auto mine = by_client_.find(client);
  return mine == by_client_.end() ? 0 : mine->second[Index(kind)].size();
}

void PubSubRegistry::RemoveClient(uint64_t client) {
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
    for (const std::string& name : SubscriptionsOf(kind, client)) Unsubscribe(kind, client, name);
  }
}

std::vector<PubSubRegistry::Receiver> PubSubRegistry::ReceiversOf(PubSubKind kind,
                                                                  std::string_view channel) const {
  std::vector<Receiver> out;
  const auto& direct = by_name_[Index(kind)];
  if (auto it = direct.find(Key(channel)); it != direct.end()) {
    for (uint64_t client : it->second) out.push_back({client, nullptr});
  }
  if (kind != PubSubKind::kChannel) return out;
  for (const auto& [pattern, clients] : by_name_[Index(PubSubKind::kPattern)]) {
    if (!GlobMatch(pattern, channel)) continue;
    for (uint64_t client : clients) out.push_back({client, &pattern});
  }
  return out;
}

size_t PubSubRegistry::SubscriberCount(PubSubKind kind, std::string_view name) const {
  const auto& names = by_name_[Index(kind)];
  auto it = names.find(Key(name));
  return it == names.end() ? 0 : it->second.size();
}

std::vector<std::string> PubSubRegistry::Names(PubSubKind kind,
                                               std::optional<std::string_view> pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : by_name_[Index(kind)]) {
    if (!pattern || GlobMatch(*pattern, name)) out.push_back(name);
  }
  return out;
}

}  // namespace strongbox::engine
