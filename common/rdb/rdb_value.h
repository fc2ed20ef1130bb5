// One codec for a value in Redis 7.0's RDB serialization, shared by DUMP/RESTORE and by the
// snapshotter's import-rdb / export-rdb. Decoding reads every encoding Redis 7.0 (and older
// versions it still loads) writes; encoding writes the plain types Redis 7.0 loads (LIST, SET,
// ZSET_2, HASH, STREAM_LISTPACKS_2). A decoded Value becomes the engine's state through the
// ordinary effects (ForEachEffect), so a RESTORE is logged and replayed like any write.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/rdb/rdb_reader.h"
#include "common/state/state.h"

namespace strongbox::rdb {

// rdb.h's object types (RDB_TYPE_*).
enum RdbType : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
  kTypeStreamListpacks3 = 21,  // Redis 7.2; read for its entries
};

// Whether `rdb_type` is a value type this codec reads (modules are not).
bool IsValueType(uint8_t rdb_type);

struct Value {
  state::ValueType type = state::ValueType::kString;
  std::string str;
  // A list's items in order, a set's members, or a hash's field, value, field, value...
  std::vector<std::string> elements;
  std::vector<std::pair<double, std::string>> scored;  // a sorted set: (score, member)
  state::StreamValue stream;                           // with its consumer groups
};

// Reads a value of `rdb_type` at the reader's position. Damage is an error (never a crash, and
// no allocation beyond what the input's size justifies); so is an empty collection, a NaN
// score or a stream whose IDs do not ascend, which the engine's effects could not represent.
absl::StatusOr<Value> DecodeValue(uint8_t rdb_type, Reader& r);

// Appends the value's RDB type byte and its encoding.
void EncodeValue(const state::Entry& entry, std::string* out);

// The effects that create `key` holding `value` (on a missing key), then its expiry if not 0:
// RPUSH/SADD/HSET/ZADD in chunks, SET, XADD per entry and XSETID, then per consumer group
// XGROUPCREATE, XCONSUMER and XPEL (delivery times as decoded: no clock is read).
void ForEachEffect(std::string_view key, const Value& value, int64_t expire_at_ms,
                   absl::FunctionRef<void(std::span<const std::string_view>)> emit);

// Stream halves of the codec (stream_codec.cc).
absl::Status DecodeStream(uint8_t rdb_type, Reader& r, Value* value);
void EncodeStream(const state::StreamValue& stream, std::string* out);
// The effects that recreate the stream's consumer groups once the stream exists.
void EmitStreamGroups(std::string_view key, const state::StreamValue& stream,
                      absl::FunctionRef<void(std::span<const std::string_view>)> emit);

}  // namespace strongbox::rdb
