// Consumer-group bookkeeping and Redis 7.0's read-counter rules (see stream_groups.h).
#include "common/state/stream_groups.h"

namespace strongbox::state {

StreamGroupsHolder::StreamGroupsHolder() = default;
StreamGroupsHolder::~StreamGroupsHolder() = default;
StreamGroupsHolder::StreamGroupsHolder(StreamGroupsHolder&& other) noexcept = default;
StreamGroupsHolder& StreamGroupsHolder::operator=(StreamGroupsHolder&& other) noexcept = default;

StreamGroupsHolder::StreamGroupsHolder(const StreamGroupsHolder& other)
    : groups_(other.groups_ ? std::make_unique<StreamGroups>(*other.groups_) : nullptr) {}

StreamGroupsHolder& StreamGroupsHolder::operator=(const StreamGroupsHolder& other) {
  if (this != &other) {
    groups_ = other.groups_ ? std::make_unique<StreamGroups>(*other.groups_) : nullptr;
  }
  return *this;
}

StreamGroups& StreamGroupsHolder::GetOrCreate() {
  if (!groups_) groups_ = std::make_unique<StreamGroups>();
  return *groups_;
}

StreamConsumer& StreamGroup::TouchConsumer(std::string_view name, int64_t seen_time_ms) {
  auto it = consumers.find(name);
  if (it == consumers.end()) it = consumers.emplace(std::string(name), StreamConsumer{}).first;
  it->second.seen_time_ms = seen_time_ms;
  return it->second;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  size_t pending = it->second.pending.size();
  for (StreamId id : it->second.pending) pel.erase(id);
  consumers.erase(it);
  return pending;
}

void StreamGroup::SetPending(StreamId id, std::string_view consumer, int64_t delivery_time_ms,
                             uint64_t delivery_count) {
  PendingEntry& p = pel[id];
  if (p.consumer != consumer) {
    if (auto old = consumers.find(p.consumer); old != consumers.end())
      old->second.pending.erase(id);
    p.consumer = std::string(consumer);
  }
  consumers.find(consumer)->second.pending.insert(id);
  p.delivery_time_ms = delivery_time_ms;
  p.delivery_count = delivery_count;
}

bool StreamGroup::Ack(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  if (auto c = consumers.find(it->second.consumer); c != consumers.end())
    c->second.pending.erase(id);
  pel.erase(it);
  return true;
}

StreamGroup* FindGroup(StreamValue& st, std::string_view name) {
  StreamGroups* groups = st.groups.get();
  if (groups == nullptr) return nullptr;
  auto it = groups->by_name.find(name);
  return it == groups->by_name.end() ? nullptr : &it->second;
}

const StreamGroup* FindGroup(const StreamValue& st, std::string_view name) {
  return FindGroup(const_cast<StreamValue&>(st), name);
}

size_t GroupCount(const StreamValue& st) {
  return st.groups.get() == nullptr ? 0 : st.groups.get()->by_name.size();
}

namespace {

// Redis's s->first_id: the first entry's ID, 0-0 when empty.
StreamId FirstId(const StreamValue& st) {
  return st.entries.empty() ? StreamId{} : st.entries.begin()->first;
}

}  // namespace

int64_t EstimateEntriesRead(const StreamValue& st, StreamId id) {
  if (st.entries_added == 0) return 0;
  auto added = static_cast<int64_t>(st.entries_added);
  if (st.entries.empty() && id <= st.last_id) return added;
  if (id == st.last_id) return added;
  if (id > st.last_id) return kEntriesReadUnknown;
  StreamId first = FirstId(st);
  if (st.max_deleted_id == StreamId{} || st.max_deleted_id < first) {
    // No fragmentation ahead: positions follow from the count of entries still held.
    auto length = static_cast<int64_t>(st.size());
    if (id < first) return added - length;
    if (id == first) return added - length + 1;
  }
  return kEntriesReadUnknown;
}

bool HasTombstonesFrom(const StreamValue& st, StreamId start) {
  if (st.entries.empty() || st.max_deleted_id == StreamId{}) return false;
  if (FirstId(st) > st.max_deleted_id) return false;
  return start <= st.max_deleted_id;
}

int64_t EntriesReadAfterDelivering(const StreamValue& st, int64_t entries_read, StreamId id) {
  if (entries_read != kEntriesReadUnknown && !HasTombstonesFrom(st, id)) return entries_read + 1;
  if (st.entries_added != 0) return EstimateEntriesRead(st, id);
  return entries_read;
}

std::optional<int64_t> GroupLag(const StreamValue& st, const StreamGroup& g) {
  auto added = static_cast<int64_t>(st.entries_added);
  if (st.entries_added == 0) return 0;
  if (g.entries_read != kEntriesReadUnknown && !HasTombstonesFrom(st, g.last_delivered_id)) {
    return added - g.entries_read;
  }
  int64_t read = EstimateEntriesRead(st, g.last_delivered_id);
  if (read == kEntriesReadUnknown) return std::nullopt;
  return added - read;
}

}  // namespace strongbox::state
