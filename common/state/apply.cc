// Deterministic application of logged effects: one function per effect, and at the end the
// effect table (kEffects) that ApplyOp, the engine's key-touch reporting and docs/format.md share.
#include "common/state/apply.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/state/stream_group_effects.h"
#include "common/util/ascii.h"

namespace strongbox::state {
namespace {

using Argv = std::span<const std::string_view>;

bool ParseI64(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

absl::Status Bad(Argv argv, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot apply effect '", std::string(argv.empty() ? "" : argv[0]), "': ", std::string(why)));
}

// --- Strings and keys ---

absl::Status ApplySet(State&, Db& d, Argv argv) {
  Entry& e = d.Upsert(argv[1]);
  int64_t old_expiry = e.expire_at_ms();
  if (e.type() != ValueType::kString) d.ReleaseValue(e);  // a big collection: freed lazily
  e.SetString(argv[2]);
  int64_t expiry = 0;
  if (argv.size() == 5 && EqualsIgnoreCase(argv[3], "PXAT")) {
    if (!ParseI64(argv[4], &expiry) || expiry <= 0) return Bad(argv, "bad PXAT");
  } else if (argv.size() == 4 && EqualsIgnoreCase(argv[3], "KEEPTTL")) {
    expiry = old_expiry;
  } else if (argv.size() != 3) {
    return Bad(argv, "syntax");
  }
  // Upsert keeps the old expiry on the entry; SetExpiry adjusts the counter from it.
  d.SetExpiry(argv[1], e, expiry);
  return absl::OkStatus();
}

absl::Status ApplyDel(State&, Db& d, Argv argv) {
  for (size_t i = 1; i < argv.size(); ++i) d.Erase(argv[i]);
  return absl::OkStatus();
}

absl::Status ApplyPexpireat(State&, Db& d, Argv argv) {
  int64_t at = 0;
  if (!ParseI64(argv[2], &at) || at <= 0) return Bad(argv, "syntax");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) return Bad(argv, "no such key");
  d.SetExpiry(argv[1], *e, at);
  return absl::OkStatus();
}

absl::Status ApplyPersist(State&, Db& d, Argv argv) {
  if (Entry* e = d.FindRaw(argv[1])) d.SetExpiry(argv[1], *e, 0);
  return absl::OkStatus();
}

absl::Status ApplyAppend(State&, Db& d, Argv argv) {
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) e = &d.Upsert(argv[1]);  // a new entry is an empty string
  if (!e->str()) return Bad(argv, "wrong type");
  if (argv[2].size() > kStringBytesMax - e->str()->size()) return Bad(argv, "string too long");
  e->AppendString(argv[2]);
  return absl::OkStatus();
}

absl::Status ApplySetRange(State&, Db& d, Argv argv) {
  int64_t offset = 0;
  if (!ParseI64(argv[2], &offset) || offset < 0) return Bad(argv, "syntax");
  // A damaged or hostile record must not reach the node's size invariant: refuse it here.
  if (static_cast<uint64_t>(offset) > kStringBytesMax - argv[3].size()) {
    return Bad(argv, "string too long");
  }
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) e = &d.Upsert(argv[1]);  // a new entry is an empty string
  if (!e->str()) return Bad(argv, "wrong type");
  e->WriteString(static_cast<size_t>(offset), argv[3]);
  return absl::OkStatus();
}

absl::Status ApplyRename(State&, Db& d, Argv argv) {
  Entry* src = d.FindRaw(argv[1]);
  if (src == nullptr) return Bad(argv, "no such key");
  if (argv[1] == argv[2]) return absl::OkStatus();
  int64_t expiry = src->expire_at_ms();
  d.Erase(argv[2]);
  Entry& dst = d.Upsert(argv[2]);
  dst.MoveValueFrom(*src);  // nodes never move: src is still valid
  d.Erase(argv[1]);
  d.SetExpiry(argv[2], dst, expiry);
  return absl::OkStatus();
}

// COPY src dst_db dst: a deep copy of value and expiry, replacing dst.
absl::Status ApplyCopy(State& state, Db& d, Argv argv) {
  int64_t dst_db = 0;
  if (!ParseI64(argv[2], &dst_db) || dst_db < 0 || dst_db >= kDatabaseCount) {
    return Bad(argv, "syntax");
  }
  Entry* src = d.FindRaw(argv[1]);
  if (src == nullptr) return Bad(argv, "no such key");
  Db& target = state.db(static_cast<int>(dst_db));
  if (&target == &d && argv[1] == argv[3]) return Bad(argv, "source and destination are one key");
  int64_t expiry = src->expire_at_ms();
  target.Erase(argv[3]);
  Entry& dst = target.Upsert(argv[3]);
  dst.CopyValueFrom(*src);
  target.SetExpiry(argv[3], dst, expiry);
  return absl::OkStatus();
}

absl::Status ApplyFlushDb(State&, Db& d, Argv) {
  d.Clear();
  return absl::OkStatus();
}

absl::Status ApplyFlushAll(State& state, Db&, Argv) {
  for (int i = 0; i < kDatabaseCount; ++i) state.db(i).Clear();
  return absl::OkStatus();
}

// SWAPDB a b: the two databases trade contents (keys, expiries, tables), as Redis's SWAPDB.
absl::Status ApplySwapDb(State& state, Db&, Argv argv) {
  int64_t a = 0, b = 0;
  if (!ParseI64(argv[1], &a) || !ParseI64(argv[2], &b) || a < 0 || b < 0 || a >= kDatabaseCount ||
      b >= kDatabaseCount) {
    return Bad(argv, "database index out of range");
  }
  if (a != b) std::swap(state.db(static_cast<int>(a)), state.db(static_cast<int>(b)));
  return absl::OkStatus();
}

// --- Hashes: the key disappears with its last field ---

absl::Status ApplyHset(State&, Db& d, Argv argv) {
  if (argv.size() % 2 != 0) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->MakeHash();
  }
  HashValue* h = e->hash();
  if (h == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i + 1 < argv.size(); i += 2) h->Set(argv[i], argv[i + 1]);
  return absl::OkStatus();
}

// HDEL and ZREM: a missing key has nothing to remove; the key goes with its last member.
// `value_of` gives the entry's collection (nullptr on another type), `remove` drops one member.
template <typename ValueOf, typename Remove>
absl::Status RemoveMembers(Db& d, Argv argv, ValueOf value_of, Remove remove) {
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) return absl::OkStatus();
  auto* value = value_of(*e);
  if (value == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i < argv.size(); ++i) remove(*value, argv[i]);
  if (value->size() == 0) d.Erase(argv[1]);
  return absl::OkStatus();
}

absl::Status ApplyHdel(State&, Db& d, Argv argv) {
  return RemoveMembers(
      d, argv, [](Entry& e) { return e.hash(); },
      [](HashValue& h, std::string_view field) { h.Erase(field); });
}

// --- Lists: the key disappears with its last element, as in Redis ---

absl::Status ApplyPush(Db& d, bool head, Argv argv) {
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->MakeList();
  }
  ListValue* l = e->list();
  if (l == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i < argv.size(); ++i) {
    head ? l->emplace_front(argv[i]) : l->emplace_back(argv[i]);
  }
  return absl::OkStatus();
}

absl::Status ApplyLPush(State&, Db& d, Argv argv) { return ApplyPush(d, true, argv); }
absl::Status ApplyRPush(State&, Db& d, Argv argv) { return ApplyPush(d, false, argv); }

// The list every effect but a push needs: present and a list.
absl::Status ExistingList(Db& d, Argv argv, ListValue** list) {
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) return Bad(argv, "no such key");
  *list = e->list();
  return *list == nullptr ? Bad(argv, "wrong type") : absl::OkStatus();
}

absl::Status EraseIfEmpty(Db& d, std::string_view key, const ListValue& l) {
  if (l.empty()) d.Erase(key);
  return absl::OkStatus();
}

absl::Status ApplyPop(Db& d, bool head, Argv argv) {
  ListValue* l = nullptr;
  if (absl::Status s = ExistingList(d, argv, &l); !s.ok()) return s;
  int64_t n = 0;
  if (!ParseI64(argv[2], &n) || n < 0) return Bad(argv, "syntax");
  for (int64_t i = 0; i < n && !l->empty(); ++i) head ? l->pop_front() : l->pop_back();
  return EraseIfEmpty(d, argv[1], *l);
}

absl::Status ApplyLPop(State&, Db& d, Argv argv) { return ApplyPop(d, true, argv); }
absl::Status ApplyRPop(State&, Db& d, Argv argv) { return ApplyPop(d, false, argv); }

absl::Status ApplyLSet(State&, Db& d, Argv argv) {
  ListValue* l = nullptr;
  if (absl::Status s = ExistingList(d, argv, &l); !s.ok()) return s;
  int64_t index = 0;
  if (!ParseI64(argv[2], &index) || index < 0 || static_cast<size_t>(index) >= l->size()) {
    return Bad(argv, "index");
  }
  (*l)[static_cast<size_t>(index)] = std::string(argv[3]);
  return absl::OkStatus();
}

// Absolute, already-normalised bounds [start, stop]; stop < start empties the list.
absl::Status ApplyLTrim(State&, Db& d, Argv argv) {
  ListValue* l = nullptr;
  if (absl::Status s = ExistingList(d, argv, &l); !s.ok()) return s;
  int64_t a = 0, b = 0;
  if (!ParseI64(argv[2], &a) || !ParseI64(argv[3], &b) || a < 0) return Bad(argv, "syntax");
  int64_t n = static_cast<int64_t>(l->size());
  if (b < a || a >= n) {
    l->clear();
  } else {
    b = std::min(b, n - 1);
    l->erase(l->begin() + (b + 1), l->end());
    l->erase(l->begin(), l->begin() + a);
  }
  return EraseIfEmpty(d, argv[1], *l);
}

absl::Status ApplyLRem(State&, Db& d, Argv argv) {
  ListValue* l = nullptr;
  if (absl::Status s = ExistingList(d, argv, &l); !s.ok()) return s;
  int64_t count = 0;
  if (!ParseI64(argv[2], &count)) return Bad(argv, "syntax");
  std::string_view v = argv[3];
  int64_t removed = 0;
  if (count >= 0) {
    for (auto it = l->begin(); it != l->end() && (count == 0 || removed < count);) {
      if (*it == v) {
        it = l->erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  } else {
    // The magnitude as unsigned: -INT64_MIN does not fit an int64.
    uint64_t limit = uint64_t{0} - static_cast<uint64_t>(count);
    for (auto it = l->end(); it != l->begin() && static_cast<uint64_t>(removed) < limit;) {
      --it;
      if (*it == v) {
        it = l->erase(it);
        ++removed;
      }
    }
  }
  return EraseIfEmpty(d, argv[1], *l);
}

absl::Status ApplyLInsert(State&, Db& d, Argv argv) {
  ListValue* l = nullptr;
  if (absl::Status s = ExistingList(d, argv, &l); !s.ok()) return s;
  bool before = EqualsIgnoreCase(argv[2], "BEFORE");
  for (auto it = l->begin(); it != l->end(); ++it) {
    if (*it == argv[3]) {
      l->insert(before ? it : it + 1, std::string(argv[4]));
      break;
    }
  }
  return absl::OkStatus();
}

// --- Sets: SADD creates; SREM removes and the key disappears with its last member ---

absl::Status ApplySetMembers(Db& d, bool add, Argv argv) {
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    if (!add) return absl::OkStatus();
    e = &d.Upsert(argv[1]);
    e->MakeSet();
  }
  SetValue* set = e->set();
  if (set == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i < argv.size(); ++i) {
    add ? (void)set->emplace(argv[i]) : (void)set->erase(argv[i]);
  }
  if (set->empty()) {
    d.Erase(argv[1]);
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status ApplySAdd(State&, Db& d, Argv argv) { return ApplySetMembers(d, true, argv); }
absl::Status ApplySRem(State&, Db& d, Argv argv) { return ApplySetMembers(d, false, argv); }

// --- Sorted sets: absolute scores (%.17g, inf/-inf); the key disappears with its last member ---

absl::Status ApplyZAdd(State&, Db& d, Argv argv) {
  if (argv.size() % 2 != 0) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->MakeZSet();
  }
  ZSetValue* z = e->zset();
  if (z == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i + 1 < argv.size(); i += 2) {
    std::string text(argv[i]);
    char* end = nullptr;
    double score = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || std::isnan(score)) return Bad(argv, "score");
    z->Set(argv[i + 1], score);
  }
  return absl::OkStatus();
}

absl::Status ApplyZRem(State&, Db& d, Argv argv) {
  return RemoveMembers(
      d, argv, [](Entry& e) { return e.zset(); },
      [](ZSetValue& z, std::string_view member) { z.Remove(member); });
}

// --- Streams: IDs are resolved "ms-seq"; an emptied stream stays (as in Redis) ---

StreamValue* FindStream(Db& d, std::string_view key) {
  Entry* e = d.FindRaw(key);
  return e == nullptr ? nullptr : e->stream();
}

absl::Status ApplyXAdd(State&, Db& d, Argv argv) {
  if (argv.size() % 2 != 1) return Bad(argv, "arity");
  auto id = ParseExactStreamId(argv[2]);
  if (!id) return Bad(argv, "bad id");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->MakeStream();
  }
  StreamValue* st = e->stream();
  if (st == nullptr) return Bad(argv, "wrong type");
  if (*id <= st->last_id) {
    return Bad(argv, "id not above the last id");
  }
  st->entries.Append(*id, argv.subspan(3));
  st->last_id = *id;
  ++st->entries_added;
  return absl::OkStatus();
}

absl::Status ApplyXDel(State&, Db& d, Argv argv) {
  StreamValue* st = FindStream(d, argv[1]);
  if (st == nullptr) return Bad(argv, "no such stream");
  for (size_t i = 2; i < argv.size(); ++i) {
    auto id = ParseExactStreamId(argv[i]);
    if (!id) return Bad(argv, "bad id");
    st->Erase(*id);
  }
  return absl::OkStatus();
}

absl::Status ApplyXTrim(State&, Db& d, Argv argv) {
  StreamValue* st = FindStream(d, argv[1]);
  auto id = ParseExactStreamId(argv[3]);
  if (st == nullptr || !EqualsIgnoreCase(argv[2], "MAXID") || !id) return Bad(argv, "syntax");
  st->EraseThrough(*id);
  return absl::OkStatus();
}

absl::Status ApplyXSetId(State&, Db& d, Argv argv) {
  StreamValue* st = FindStream(d, argv[1]);
  auto last = ParseExactStreamId(argv[2]);
  auto max_deleted = ParseExactStreamId(argv[4]);
  uint64_t added = 0;
  auto [p, ec] = std::from_chars(argv[3].data(), argv[3].data() + argv[3].size(), added);
  if (st == nullptr || !last || !max_deleted || ec != std::errc() ||
      p != argv[3].data() + argv[3].size()) {
    return Bad(argv, "syntax");
  }
  if (!st->entries.empty() && st->entries.rbegin()->first > *last) return Bad(argv, "id too low");
  st->last_id = *last;
  st->entries_added = added;
  st->max_deleted_id = *max_deleted;
  return absl::OkStatus();
}

// --- Function libraries: the code only, the engine compiles it ---

absl::Status ApplyFunctionSet(State& state, Db&, Argv argv) {
  state.SetLibrary(argv[1], argv[2]);
  return absl::OkStatus();
}

absl::Status ApplyFunctionDel(State& state, Db&, Argv argv) {
  if (!state.libraries().contains(std::string(argv[1]))) return Bad(argv, "no such library");
  state.EraseLibrary(argv[1]);
  return absl::OkStatus();
}

absl::Status ApplyFunctionFlush(State& state, Db&, Argv) {
  state.ClearLibraries();
  return absl::OkStatus();
}

// --- The table ---

constexpr size_t kAny = kArgcUnbounded;
using K = EffectKeys;

// argc counts the name. Consumer-group effects other than XGROUPCREATE / XGROUPDESTROY touch
// no key: as in Redis 7.0 they neither dirty a WATCH nor wake a blocked client (XGROUPDESTROY
// wakes XREADGROUP for its -NOGROUP). What a command logs beyond its own effect (SPOP as SREM,
// LMOVE as a pop and a push, ...) is described in docs/format.md next to the list generated
// from this table.
constexpr EffectSpec kEffects[] = {
    {"SET", "key value [PXAT ms | KEEPTTL]", 3, 5, K::kFirstArg, ApplySet,
     "replace the value with a string; without an option the expiry is cleared"},
    {"DEL", "key [key ...]", 2, kAny, K::kEveryArg, ApplyDel,
     "remove keys (also how an expiry the engine carries out is logged)"},
    {"PEXPIREAT", "key ms", 3, 3, K::kFirstArg, ApplyPexpireat,
     "absolute expiry in Unix ms (EXPIRE, SET EX and the like are logged as this)"},
    {"PERSIST", "key", 2, 2, K::kFirstArg, ApplyPersist, "remove the expiry"},
    {"APPEND", "key value", 3, 3, K::kFirstArg, ApplyAppend, "append to a string (creates it)"},
    {"SETRANGE", "key offset value", 4, 4, K::kFirstArg, ApplySetRange,
     "overwrite at offset, zero-padding (creates the string)"},
    {"RENAME", "src dst", 3, 3, K::kEveryArg, ApplyRename,
     "move value and expiry from src to dst, replacing dst"},
    {"COPY", "src dst_db dst", 4, 4, K::kCopyTarget, ApplyCopy,
     "deep copy of value and expiry to dst in database dst_db, replacing dst"},
    {"FLUSHDB", "", 1, 1, K::kDatabase, ApplyFlushDb, "empty the op's database"},
    {"FLUSHALL", "", 1, 1, K::kAllDatabases, ApplyFlushAll, "empty every database"},
    {"SWAPDB", "db1 db2", 3, 3, K::kAllDatabases, ApplySwapDb,
     "exchange the contents of two databases (the op's database is not used)"},
    {"HSET", "key field value [field value ...]", 4, kAny, K::kFirstArg, ApplyHset,
     "set hash fields (creates the hash)"},
    {"HDEL", "key field [field ...]", 3, kAny, K::kFirstArg, ApplyHdel,
     "remove hash fields; the key goes with its last field"},
    {"LPUSH", "key value [value ...]", 3, kAny, K::kFirstArg, ApplyLPush,
     "push at the head (creates the list)"},
    {"RPUSH", "key value [value ...]", 3, kAny, K::kFirstArg, ApplyRPush,
     "push at the tail (creates the list)"},
    {"LPOP", "key count", 3, 3, K::kFirstArg, ApplyLPop,
     "remove count elements from the head; the key goes with its last element"},
    {"RPOP", "key count", 3, 3, K::kFirstArg, ApplyRPop,
     "remove count elements from the tail; the key goes with its last element"},
    {"LSET", "key index value", 4, 4, K::kFirstArg, ApplyLSet,
     "replace the element at an absolute index (>= 0)"},
    {"LTRIM", "key start stop", 4, 4, K::kFirstArg, ApplyLTrim,
     "keep [start, stop], absolute normalised bounds; stop < start empties the list"},
    {"LREM", "key count value", 4, 4, K::kFirstArg, ApplyLRem,
     "remove elements equal to value, with Redis LREM's count semantics"},
    {"LINSERT", "key BEFORE|AFTER pivot value", 5, 5, K::kFirstArg, ApplyLInsert,
     "insert value next to the first pivot (nothing if there is none)"},
    {"SADD", "key member [member ...]", 3, kAny, K::kFirstArg, ApplySAdd,
     "add set members (creates the set)"},
    {"SREM", "key member [member ...]", 3, kAny, K::kFirstArg, ApplySRem,
     "remove set members; the key goes with its last member"},
    {"ZADD", "key score member [score member ...]", 4, kAny, K::kFirstArg, ApplyZAdd,
     "set members to absolute scores (%.17g, inf/-inf; creates the sorted set)"},
    {"ZREM", "key member [member ...]", 3, kAny, K::kFirstArg, ApplyZRem,
     "remove sorted-set members; the key goes with its last member"},
    {"XADD", "key ms-seq field value [field value ...]", 5, kAny, K::kFirstArg, ApplyXAdd,
     "append an entry with a resolved ID above the last one (creates the stream)"},
    {"XDEL", "key ms-seq [ms-seq ...]", 3, kAny, K::kFirstArg, ApplyXDel,
     "remove stream entries; the largest deleted ID is kept"},
    {"XTRIM", "key MAXID ms-seq", 4, 4, K::kFirstArg, ApplyXTrim,
     "remove the stream entries up to an ID, included (every trim is logged as this)"},
    {"XSETID", "key last-ms-seq entries-added max-deleted-ms-seq", 5, 5, K::kFirstArg, ApplyXSetId,
     "set a stream's last ID, entries-added counter and largest deleted ID"},
    {"XGROUPCREATE", "key group ms-seq entries-read", 5, 5, K::kFirstArg, ApplyXGroupCreate,
     "add a consumer group at a last-delivered ID, entries-read -1 = unknown (creates the stream)"},
    {"XGROUPSETID", "key group ms-seq entries-read", 5, 5, K::kNone, ApplyXGroupSetId,
     "set a group's last-delivered ID and entries-read (-1 = unknown)"},
    {"XGROUPDESTROY", "key group", 3, 3, K::kFirstArg, ApplyXGroupDestroy,
     "remove a consumer group with its consumers and pending entries"},
    {"XCONSUMER", "key group consumer seen-ms", 5, 5, K::kNone, ApplyXConsumer,
     "create a group's consumer or set its last-seen time (Unix ms)"},
    {"XDELCONSUMER", "key group consumer", 4, 4, K::kNone, ApplyXDelConsumer,
     "remove a consumer and its pending entries"},
    {"XPEL", "key group consumer ms-seq delivery-ms count [ms-seq delivery-ms count ...]", 7, kAny,
     K::kNone, ApplyXPel,
     "give pending entries to an existing consumer with absolute delivery time and count"},
    {"XACK", "key group ms-seq [ms-seq ...]", 4, kAny, K::kNone, ApplyXAck,
     "acknowledge pending entries of a group (absent ones are ignored)"},
    {"FUNCTIONSET", "library code", 3, 3, K::kNone, ApplyFunctionSet,
     "add or replace a function library (code is FUNCTION LOAD's text, shebang included)"},
    {"FUNCTIONDEL", "library", 2, 2, K::kNone, ApplyFunctionDel, "remove a function library"},
    {"FUNCTIONFLUSH", "", 1, 1, K::kNone, ApplyFunctionFlush, "remove every function library"},
};

// FindEffect's index, built at compile time. Names are upper-case letters, at most 16 bytes,
// packed into two little-endian words; the rows are grouped by first letter (a handful each).
// Clearing bit 5 of every byte maps a-z onto A-Z and no other byte onto a letter, so comparing
// the masked input words with a packed name is exactly a case-insensitive compare: a lookup is
// one 16-byte copy, two ANDs and a few word compares, with no allocation.
constexpr size_t kNameBytesMax = 16;
constexpr size_t kRowsPerLetterMax = 12;
constexpr uint64_t kFoldMask = 0xDFDFDFDFDFDFDFDFull;
static_assert(std::endian::native == std::endian::little, "packed names are little-endian");

struct PackedName {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

struct LetterIndex {
  std::array<std::array<uint8_t, kRowsPerLetterMax>, 26> rows{};
  std::array<uint8_t, 26> count{};
  std::array<PackedName, std::size(kEffects)> packed{};
};

constexpr LetterIndex BuildIndex() {
  LetterIndex index;
  for (size_t i = 0; i < std::size(kEffects); ++i) {
    std::string_view name = kEffects[i].name;
    // A name that breaks these rules fails to compile (a throw is not a constant expression).
    if (name.empty() || name.size() > kNameBytesMax) throw "effect name length";
    for (size_t b = 0; b < name.size(); ++b) {
      if (name[b] < 'A' || name[b] > 'Z') throw "effect names are upper-case letters";
      uint64_t& word = b < 8 ? index.packed[i].lo : index.packed[i].hi;
      word |= static_cast<uint64_t>(name[b]) << (8 * (b % 8));
    }
    // ForEachTouchedKey reads argv[1] / argv[3] without a bounds check.
    if (kEffects[i].keys == EffectKeys::kFirstArg && kEffects[i].argc_min < 2) throw "no key";
    if (kEffects[i].keys == EffectKeys::kCopyTarget && kEffects[i].argc_min < 4) throw "no dst";
    size_t letter = static_cast<size_t>(name[0] - 'A');
    if (index.count[letter] == kRowsPerLetterMax) throw "raise kRowsPerLetterMax";
    index.rows[letter][index.count[letter]++] = static_cast<uint8_t>(i);
  }
  return index;
}

constexpr LetterIndex kIndex = BuildIndex();
static_assert(std::size(kEffects) <= 256, "LetterIndex holds rows as uint8_t");

}  // namespace

std::span<const EffectSpec> EffectTable() { return kEffects; }

const EffectSpec* FindEffect(std::string_view name) {
  if (name.empty() || name.size() > kNameBytesMax) return nullptr;
  char bytes[kNameBytesMax] = {};
  std::memcpy(bytes, name.data(), name.size());
  PackedName folded;
  std::memcpy(&folded.lo, bytes, 8);
  std::memcpy(&folded.hi, bytes + 8, 8);
  folded.lo &= kFoldMask;
  folded.hi &= kFoldMask;
  size_t letter = static_cast<size_t>(folded.lo & 0xff) - 'A';
  if (letter >= 26) return nullptr;
  for (size_t i = 0; i < kIndex.count[letter]; ++i) {
    size_t row = kIndex.rows[letter][i];
    // The size too: a NUL byte in the input would fold to the zero padding.
    if (kIndex.packed[row].lo == folded.lo && kIndex.packed[row].hi == folded.hi &&
        kEffects[row].name.size() == name.size()) {
      return &kEffects[row];
    }
  }
  return nullptr;
}

absl::Status ApplyOp(State& state, uint8_t db, std::span<const std::string_view> argv) {
  if (argv.empty()) return absl::InvalidArgumentError("empty effect");
  if (db >= kDatabaseCount) return Bad(argv, "database index out of range");
  const EffectSpec* effect = FindEffect(argv[0]);
  if (effect == nullptr) return Bad(argv, "unknown effect");
  if (argv.size() < effect->argc_min || argv.size() > effect->argc_max) {
    return Bad(argv, absl::StrCat("arity: ", argv.size() - 1, " arguments, expects ",
                                  std::string(effect->name), effect->args.empty() ? "" : " ",
                                  std::string(effect->args)));
  }
  return effect->apply(state, state.db(db), argv);
}

TouchScope ForEachTouchedKey(uint8_t db, std::span<const std::string_view> argv,
                             absl::FunctionRef<void(uint8_t db, std::string_view key)> on_key) {
  const EffectSpec* effect = argv.empty() ? nullptr : FindEffect(argv[0]);
  if (effect == nullptr || argv.size() < effect->argc_min || argv.size() > effect->argc_max) {
    return TouchScope::kAllDatabases;
  }
  switch (effect->keys) {
    case EffectKeys::kFirstArg:
      on_key(db, argv[1]);
      return TouchScope::kKeys;
    case EffectKeys::kEveryArg:
      for (size_t i = 1; i < argv.size(); ++i) on_key(db, argv[i]);
      return TouchScope::kKeys;
    case EffectKeys::kCopyTarget: {
      int64_t dst_db = 0;
      if (!ParseI64(argv[2], &dst_db) || dst_db < 0 || dst_db >= kDatabaseCount) {
        return TouchScope::kAllDatabases;
      }
      on_key(static_cast<uint8_t>(dst_db), argv[3]);
      return TouchScope::kKeys;
    }
    case EffectKeys::kDatabase:
      return TouchScope::kDatabase;
    case EffectKeys::kAllDatabases:
      return TouchScope::kAllDatabases;
    case EffectKeys::kNone:
      return TouchScope::kKeys;
  }
  return TouchScope::kAllDatabases;
}

}  // namespace strongbox::state
