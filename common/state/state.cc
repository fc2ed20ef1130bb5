// Keyspace bookkeeping (expiry counts, lookups).
#include "common/state/state.h"

namespace strongbox::state {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kHash:
      return "hash";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";
}

bool ZSetValue::Set(std::string_view member, double score) {
  auto it = scores.find(member);
  if (it != scores.end()) {
    if (it->second == score) return false;
    by_score.erase({it->second, it->first});
    it->second = score;
    by_score.insert({score, it->first});
    return false;
  }
  scores.emplace(member, score);
  by_score.insert({score, std::string(member)});
  return true;
}

bool ZSetValue::Remove(std::string_view member) {
  auto it = scores.find(member);
  if (it == scores.end()) return false;
  by_score.erase({it->second, it->first});
  scores.erase(it);
  return true;
}

Entry* Db::Find(std::string_view key, int64_t now_ms) {
  auto it = map_.find(key);
  if (it == map_.end() || it->second.expired(now_ms)) return nullptr;
  return &it->second;
}

const Entry* Db::Find(std::string_view key, int64_t now_ms) const {
  auto it = map_.find(key);
  if (it == map_.end() || it->second.expired(now_ms)) return nullptr;
  return &it->second;
}

Entry* Db::FindRaw(std::string_view key) {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

Entry& Db::Upsert(std::string_view key) { return map_[key]; }

bool Db::Erase(std::string_view key) {
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  if (it->second.expire_at_ms != 0) {
    expiry_index_.erase({it->second.expire_at_ms, std::string(key)});
  }
  map_.erase(it);
  return true;
}

void Db::SetExpiry(std::string_view key, Entry& e, int64_t expire_at_ms) {
  if (e.expire_at_ms == expire_at_ms) return;
  if (e.expire_at_ms != 0) expiry_index_.erase({e.expire_at_ms, std::string(key)});
  if (expire_at_ms != 0) expiry_index_.insert({expire_at_ms, std::string(key)});
  e.expire_at_ms = expire_at_ms;
}

size_t State::TotalKeys() const {
  size_t n = 0;
  for (const Db& d : dbs_) n += d.size();
  return n;
}

}  // namespace strongbox::state
