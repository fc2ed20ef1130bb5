#include "common/state/collections.h"

#include <algorithm>
#include <cstring>

namespace strongbox::state {

// ---- ListValue ----------------------------------------------------------------------------

void ListValue::emplace_front(std::string_view v) {
  if (head_ == 0) {
    // Make front room proportional to the size, so repeated LPUSH is amortised O(1).
    size_t room = std::max<size_t>(4, size());
    items_.insert(items_.begin(), room, std::string());
    head_ = room;
  }
  items_[--head_].assign(v.data(), v.size());
}

void ListValue::pop_front() {
  std::string().swap(items_[head_]);  // free the element's heap buffer now
  ++head_;
  if (head_ == items_.size()) {
    clear();
  } else if (head_ > 64 && head_ > size()) {
    // A queue (RPUSH + LPOP) would otherwise only grow: drop the free front once it is larger
    // than the live part (amortised O(1) per pop).
    items_.erase(items_.begin(), items_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
}

void ListValue::pop_back() {
  items_.pop_back();
  if (items_.size() == head_) clear();
}

ListValue::iterator ListValue::erase(iterator first, iterator last) {
  auto it = items_.erase(first, last);
  if (items_.size() == head_) {
    clear();
    return items_.end();
  }
  return it;
}

// ---- SetValue -----------------------------------------------------------------------------

namespace {
// What malloc hands out for a request: 8 bytes of header, rounded up to 16 (glibc, 64-bit).
size_t MallocBytes(size_t request) { return (request + 8 + 15) / 16 * 16; }
// Heap bytes of a std::string beyond the object (short strings live inside it).
size_t StringHeapBytes(const std::string& s) { return s.size() > 15 ? s.capacity() + 1 : 0; }
}  // namespace

std::pair<SetValue::const_iterator, bool> SetValue::emplace(std::string_view m) {
  auto it = members_.IteratorAt(m);
  if (it != members_.end()) return {const_iterator(it), false};
  members_.InsertNew(new Node{nullptr, std::string(m)});
  return {const_iterator(members_.IteratorAt(m)), true};
}

size_t SetValue::heap_bytes() const {
  size_t bytes = sizeof(SetValue) + members_.bucket_count() * sizeof(Node*);
  for (const Node* n : members_) bytes += MallocBytes(sizeof(Node)) + StringHeapBytes(n->member);
  return bytes;
}

// ---- HashValue ----------------------------------------------------------------------------

HashValue::HashValue(const HashValue& other)
    : packed_(other.packed_), big_(other.big_ ? std::make_unique<Map>(*other.big_) : nullptr) {}

std::optional<std::string_view> HashValue::Get(std::string_view field) const {
  if (big_) {
    const Node* n = big_->Find(field);
    if (n == nullptr) return std::nullopt;
    return std::string_view(n->value);
  }
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    std::string_view k = packed_.At(pos, &pos);
    std::string_view v = packed_.At(pos, &pos);
    if (k == field) return v;
  }
  return std::nullopt;
}

bool HashValue::Set(std::string_view field, std::string_view value) {
  if (!big_ && (field.size() > kMaxPackedElementBytes || value.size() > kMaxPackedElementBytes ||
                (size() >= kMaxPackedEntries && !contains(field)))) {
    Unpack();
  }
  if (big_) {
    if (Node* n = big_->Find(field)) {
      n->value.assign(value.data(), value.size());
      return false;
    }
    big_->InsertNew(new Node{nullptr, std::string(field), std::string(value)});
    return true;
  }
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    std::string_view k = packed_.At(pos, &pos);
    if (k == field) {
      packed_.Replace(pos, value);
      return false;
    }
    packed_.At(pos, &pos);
  }
  std::string_view items[] = {field, value};
  packed_.Insert(packed_.end(), items);
  return true;
}

bool HashValue::Erase(std::string_view field) {
  if (big_) return big_->Erase(field);
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    size_t at = pos;
    std::string_view k = packed_.At(pos, &pos);
    if (k == field) {
      packed_.Erase(at, 2);
      return true;
    }
    packed_.At(pos, &pos);
  }
  return false;
}

void HashValue::Unpack() {
  auto map = std::make_unique<Map>();
  map->Reserve(size() + 1);
  ForEach([&](std::string_view k, std::string_view v) {
    map->InsertNew(new Node{nullptr, std::string(k), std::string(v)});
  });
  big_ = std::move(map);
  packed_.Clear();
}

size_t HashValue::heap_bytes() const {
  if (!big_) return packed_.bytes_used();
  size_t bytes = sizeof(Map) + big_->bucket_count() * sizeof(Node*);
  for (const Node* n : *big_) {
    bytes += MallocBytes(sizeof(Node)) + StringHeapBytes(n->field) + StringHeapBytes(n->value);
  }
  return bytes;
}

// ---- ZSetValue ----------------------------------------------------------------------------

namespace {
std::string_view EncodeScore(double score, char (&buf)[8]) {
  std::memcpy(buf, &score, sizeof(score));
  return {buf, sizeof(buf)};
}
}  // namespace

double ZSetValue::DecodeScore(std::string_view bytes) {
  double score;
  std::memcpy(&score, bytes.data(), sizeof(score));
  return score;
}

ZSetValue::ZSetValue(const ZSetValue& other)
    : packed_(other.packed_), big_(other.big_ ? std::make_unique<Big>(*other.big_) : nullptr) {}

size_t ZSetValue::FindPacked(std::string_view member, double* score) const {
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    size_t at = pos;
    std::string_view m = packed_.At(pos, &pos);
    std::string_view s = packed_.At(pos, &pos);
    if (m == member) {
      *score = DecodeScore(s);
      return at;
    }
  }
  return packed_.end();
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (big_) {
    const ScoreNode* n = big_->scores.Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  double score;
  if (FindPacked(member, &score) == packed_.end()) return std::nullopt;
  return score;
}

bool ZSetValue::Set(std::string_view member, double score) {
  if (!big_ &&
      (member.size() > kMaxPackedElementBytes || (size() >= kMaxPackedEntries && !Score(member)))) {
    Unpack();
  }
  if (big_) {
    if (ScoreNode* n = big_->scores.Find(member)) {
      if (n->score == score) return false;
      big_->by_score.erase({n->score, n->member});
      big_->by_score.insert({score, n->member});
      n->score = score;
      return false;
    }
    big_->scores.InsertNew(new ScoreNode{nullptr, std::string(member), score});
    big_->by_score.insert({score, std::string(member)});
    return true;
  }
  double old;
  size_t at = FindPacked(member, &old);
  bool is_new = at == packed_.end();
  if (!is_new) {
    if (old == score) return false;
    packed_.Erase(at, 2);
  }
  // Keep (score, member) order: insert before the first greater item.
  size_t insert_at = packed_.end();
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    size_t here = pos;
    std::string_view m = packed_.At(pos, &pos);
    double s = DecodeScore(packed_.At(pos, &pos));
    if (s > score || (s == score && m > member)) {
      insert_at = here;
      break;
    }
  }
  char buf[8];
  std::string_view items[] = {member, EncodeScore(score, buf)};
  packed_.Insert(insert_at, items);
  return is_new;
}

bool ZSetValue::Remove(std::string_view member) {
  if (big_) {
    ScoreNode* n = big_->scores.Unlink(member);
    if (n == nullptr) return false;
    big_->by_score.erase({n->score, n->member});
    delete n;
    return true;
  }
  double score;
  size_t at = FindPacked(member, &score);
  if (at == packed_.end()) return false;
  packed_.Erase(at, 2);
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  if (big_) {
    const ScoreNode* n = big_->scores.Find(member);
    if (n == nullptr) return std::nullopt;
    return static_cast<size_t>(big_->by_score.order_of_key({n->score, n->member}));
  }
  size_t rank = 0;
  for (size_t pos = packed_.begin(); pos != packed_.end(); ++rank) {
    std::string_view m = packed_.At(pos, &pos);
    packed_.At(pos, &pos);
    if (m == member) return rank;
  }
  return std::nullopt;
}

void ZSetValue::Unpack() {
  auto big = std::make_unique<Big>();
  big->scores.Reserve(size() + 1);
  Walk(false, [&](double s, std::string_view m) {
    big->scores.InsertNew(new ScoreNode{nullptr, std::string(m), s});
    big->by_score.insert({s, std::string(m)});
    return true;
  });
  big_ = std::move(big);
  packed_.Clear();
}

size_t ZSetValue::heap_bytes() const {
  if (!big_) return packed_.bytes_used();
  size_t bytes = sizeof(Big) + big_->scores.bucket_count() * sizeof(ScoreNode*);
  for (const auto& [score, m] : big_->by_score) {
    bytes += 88 + MallocBytes(sizeof(ScoreNode)) + 2 * StringHeapBytes(m);  // tree node + size
  }
  return bytes;
}

}  // namespace strongbox::state
