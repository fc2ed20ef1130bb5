#include "common/rdb/rdb_value.h"

#include <cmath>
#include <cstdio>

#include "common/rdb/packed_formats.h"
#include "common/rdb/rdb_writer.h"

namespace strongbox::rdb {
namespace {

using state::ValueType;

// Effects carry at most this many elements each, so a huge value makes several modest ops.
constexpr size_t kElementsPerEffect = 1024;
// QUICKLIST_2 node containers.
constexpr uint64_t kQuicklistNodePlain = 1;
constexpr uint64_t kQuicklistNodePacked = 2;

absl::Status Damaged(std::string_view why) {
  return absl::DataLossError("Bad data format: " + std::string(why));
}

absl::Status ReaderStatus(const Reader& r) {
  return r.ok() ? absl::OkStatus() : Damaged(r.error());
}

// A blob string holding a packed structure, decoded by `decode`, appended to `out`.
template <typename Decode>
absl::Status AppendBlob(Reader& r, Decode decode, std::vector<std::string>* out) {
  std::string blob = r.String();
  if (!r.ok()) return ReaderStatus(r);
  auto items = decode(blob);
  if (!items.ok()) return items.status();
  for (auto& s : *items) out->push_back(std::move(s));
  return absl::OkStatus();
}

// `count` strings (count bounded by the input: each takes at least one byte).
absl::Status ReadStrings(Reader& r, uint64_t count, std::vector<std::string>* out) {
  for (uint64_t i = 0; i < count && r.ok(); ++i) out->push_back(r.String());
  return ReaderStatus(r);
}

absl::Status DecodeList(uint8_t rdb_type, Reader& r, Value* v) {
  v->type = ValueType::kList;
  if (rdb_type == kTypeList) return ReadStrings(r, r.Count(1), &v->elements);
  if (rdb_type == kTypeListZiplist) return AppendBlob(r, DecodeZiplist, &v->elements);
  uint64_t nodes = r.Count(1);
  for (uint64_t i = 0; i < nodes && r.ok(); ++i) {
    uint64_t container = rdb_type == kTypeListQuicklist2 ? r.Length() : kQuicklistNodePacked;
    absl::Status s;
    if (container == kQuicklistNodePlain) {
      v->elements.push_back(r.String());
    } else if (container != kQuicklistNodePacked) {
      return Damaged("unknown quicklist node container");
    } else if (rdb_type == kTypeListQuicklist2) {
      s = AppendBlob(r, DecodeListpack, &v->elements);
    } else {
      s = AppendBlob(r, DecodeZiplist, &v->elements);
    }
    if (!s.ok()) return s;
  }
  return ReaderStatus(r);
}

absl::Status DecodeSet(uint8_t rdb_type, Reader& r, Value* v) {
  v->type = ValueType::kSet;
  if (rdb_type == kTypeSet) return ReadStrings(r, r.Count(1), &v->elements);
  return AppendBlob(r, DecodeIntset, &v->elements);
}

absl::Status DecodeHash(uint8_t rdb_type, Reader& r, Value* v) {
  v->type = ValueType::kHash;
  if (rdb_type == kTypeHash) {
    uint64_t pairs = r.Count(2);
    return ReadStrings(r, pairs * 2, &v->elements);
  }
  absl::Status s;
  if (rdb_type == kTypeHashZipmap) s = AppendBlob(r, DecodeZipmap, &v->elements);
  if (rdb_type == kTypeHashZiplist) s = AppendBlob(r, DecodeZiplist, &v->elements);
  if (rdb_type == kTypeHashListpack) s = AppendBlob(r, DecodeListpack, &v->elements);
  if (s.ok() && v->elements.size() % 2 != 0) return Damaged("hash with an odd element count");
  return s;
}

absl::Status DecodeZSet(uint8_t rdb_type, Reader& r, Value* v) {
  v->type = ValueType::kZSet;
  if (rdb_type == kTypeZSet || rdb_type == kTypeZSet2) {
    uint64_t count = r.Count(2);
    for (uint64_t i = 0; i < count && r.ok(); ++i) {
      std::string member = r.String();
      double score = rdb_type == kTypeZSet2 ? r.BinaryDouble() : r.TextDouble();
      v->scored.emplace_back(score, std::move(member));
    }
    if (!r.ok()) return ReaderStatus(r);
  } else {
    std::vector<std::string> flat;
    absl::Status s =
        AppendBlob(r, rdb_type == kTypeZSetZiplist ? DecodeZiplist : DecodeListpack, &flat);
    if (!s.ok()) return s;
    if (flat.size() % 2 != 0) return Damaged("sorted set with an odd element count");
    for (size_t i = 0; i < flat.size(); i += 2) {
      char* end = nullptr;
      double score = std::strtod(flat[i + 1].c_str(), &end);
      if (flat[i + 1].empty() || end != flat[i + 1].c_str() + flat[i + 1].size()) {
        return Damaged("sorted set score is not a number");
      }
      v->scored.emplace_back(score, std::move(flat[i]));
    }
  }
  for (const auto& [score, member] : v->scored) {
    if (std::isnan(score)) return Damaged("sorted set score is NaN");
  }
  return absl::OkStatus();
}

bool EmptyValue(const Value& v) {
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kStream:
      return false;
    case ValueType::kZSet:
      return v.scored.empty();
    default:
      return v.elements.empty();
  }
}

void EmitChunks(std::string_view op, std::string_view key, std::span<const std::string> items,
                size_t per_effect,
                absl::FunctionRef<void(std::span<const std::string_view>)> emit) {
  std::vector<std::string_view> argv;
  for (size_t start = 0; start < items.size(); start += per_effect) {
    argv.assign({op, key});
    size_t end = std::min(items.size(), start + per_effect);
    for (size_t i = start; i < end; ++i) argv.push_back(items[i]);
    emit(argv);
  }
}

std::string FormatScore(double score) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", score);
  return buf;
}

void EmitStream(std::string_view key, const state::StreamValue& st,
                absl::FunctionRef<void(std::span<const std::string_view>)> emit) {
  std::vector<std::string_view> argv;
  for (const auto& [id, fields] : st.entries) {
    std::string id_text = id.ToString();
    argv.assign({"XADD", key, id_text});
    for (std::string_view f : fields) argv.push_back(f);
    emit(argv);
  }
  std::string last = st.last_id.ToString();
  if (st.entries.empty()) {
    // An empty stream exists in Redis: create it with one entry and trim that away.
    std::string first =
        (st.last_id == state::StreamId{} ? state::StreamId{0, 1} : st.last_id).ToString();
    emit(std::vector<std::string_view>{"XADD", key, first, "f", "v"});
    emit(std::vector<std::string_view>{"XTRIM", key, "MAXID", first});
  }
  std::string added = std::to_string(st.entries_added);
  std::string max_deleted = st.max_deleted_id.ToString();
  emit(std::vector<std::string_view>{"XSETID", key, last, added, max_deleted});
  EmitStreamGroups(key, st, emit);
}

}  // namespace

bool IsValueType(uint8_t t) {
  return t <= kTypeZSet2 || (t >= kTypeHashZipmap && t <= kTypeStreamListpacks2) ||
         t == kTypeStreamListpacks3;
}

absl::StatusOr<Value> DecodeValue(uint8_t rdb_type, Reader& r) {
  Value v;
  absl::Status s;
  switch (rdb_type) {
    case kTypeString:
      v.str = r.String();
      s = ReaderStatus(r);
      break;
    case kTypeList:
    case kTypeListZiplist:
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      s = DecodeList(rdb_type, r, &v);
      break;
    case kTypeSet:
    case kTypeSetIntset:
      s = DecodeSet(rdb_type, r, &v);
      break;
    case kTypeHash:
    case kTypeHashZipmap:
    case kTypeHashZiplist:
    case kTypeHashListpack:
      s = DecodeHash(rdb_type, r, &v);
      break;
    case kTypeZSet:
    case kTypeZSet2:
    case kTypeZSetZiplist:
    case kTypeZSetListpack:
      s = DecodeZSet(rdb_type, r, &v);
      break;
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      s = DecodeStream(rdb_type, r, &v);
      break;
    default:
      return Damaged("unknown value type " + std::to_string(rdb_type));
  }
  if (!s.ok()) return s;
  if (EmptyValue(v)) return Damaged("empty collection");
  return v;
}

void EncodeValue(const state::Entry& e, std::string* out) {
  switch (e.type()) {
    case ValueType::kString:
      out->push_back(static_cast<char>(kTypeString));
      AppendString(*e.str(), out);
      return;
    case ValueType::kList:
      out->push_back(static_cast<char>(kTypeList));
      AppendLength(e.list()->size(), out);
      for (const std::string& item : *e.list()) AppendString(item, out);
      return;
    case ValueType::kSet:
      out->push_back(static_cast<char>(kTypeSet));
      AppendLength(e.set()->size(), out);
      for (const std::string& m : *e.set()) AppendString(m, out);
      return;
    case ValueType::kHash:
      out->push_back(static_cast<char>(kTypeHash));
      AppendLength(e.hash()->size(), out);
      e.hash()->ForEach([out](std::string_view f, std::string_view v) {
        AppendString(f, out);
        AppendString(v, out);
      });
      return;
    case ValueType::kZSet:
      out->push_back(static_cast<char>(kTypeZSet2));
      AppendLength(e.zset()->size(), out);
      e.zset()->Walk(false, [out](double score, std::string_view m) {
        AppendString(m, out);
        AppendBinaryDouble(score, out);
        return true;
      });
      return;
    case ValueType::kStream:
      out->push_back(static_cast<char>(kTypeStreamListpacks2));
      EncodeStream(*e.stream(), out);
      return;
  }
}

void ForEachEffect(std::string_view key, const Value& v, int64_t expire_at_ms,
                   absl::FunctionRef<void(std::span<const std::string_view>)> emit) {
  switch (v.type) {
    case ValueType::kString:
      emit(std::vector<std::string_view>{"SET", key, v.str});
      break;
    case ValueType::kList:
      EmitChunks("RPUSH", key, v.elements, kElementsPerEffect, emit);
      break;
    case ValueType::kSet:
      EmitChunks("SADD", key, v.elements, kElementsPerEffect, emit);
      break;
    case ValueType::kHash:
      EmitChunks("HSET", key, v.elements, 2 * kElementsPerEffect, emit);
      break;
    case ValueType::kZSet: {
      std::vector<std::string> flat;
      flat.reserve(2 * v.scored.size());
      for (const auto& [score, member] : v.scored) {
        flat.push_back(FormatScore(score));
        flat.push_back(member);
      }
      EmitChunks("ZADD", key, flat, 2 * kElementsPerEffect, emit);
      break;
    }
    case ValueType::kStream:
      EmitStream(key, v.stream, emit);
      break;
  }
  if (expire_at_ms > 0) {
    std::string at = std::to_string(expire_at_ms);
    emit(std::vector<std::string_view>{"PEXPIREAT", key, at});
  }
}

}  // namespace strongbox::rdb
