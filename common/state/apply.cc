// Deterministic application of logged effects (see apply.h for the vocabulary).
#include "common/state/apply.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace strongbox::state {
namespace {

bool ParseI64(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

absl::Status Bad(std::span<const std::string_view> argv, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot apply effect '", std::string(argv.empty() ? "" : argv[0]), "': ", std::string(why)));
}

absl::Status ApplySet(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() != 3 && argv.size() != 4 && argv.size() != 5) return Bad(argv, "arity");
  Entry& e = d.Upsert(argv[1]);
  int64_t old_expiry = e.expire_at_ms();
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

absl::Status ApplySetRange(Db& d, std::span<const std::string_view> argv) {
  int64_t offset = 0;
  if (argv.size() != 4 || !ParseI64(argv[2], &offset) || offset < 0) return Bad(argv, "syntax");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) e = &d.Upsert(argv[1]);  // a new entry is an empty string
  if (!e->str()) return Bad(argv, "wrong type");
  e->WriteString(static_cast<size_t>(offset), argv[3]);
  return absl::OkStatus();
}

absl::Status ApplyHset(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() < 4 || argv.size() % 2 != 0) return Bad(argv, "arity");
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

absl::Status ApplyHdel(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() < 3) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) return absl::OkStatus();
  HashValue* h = e->hash();
  if (h == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i < argv.size(); ++i) h->Erase(argv[i]);
  if (h->empty()) d.Erase(argv[1]);
  return absl::OkStatus();
}

absl::Status ApplyRename(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() != 3) return Bad(argv, "arity");
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

ListValue* ListFor(Db& d, std::string_view key, bool create) {
  Entry* e = d.FindRaw(key);
  if (e == nullptr) {
    if (!create) return nullptr;
    e = &d.Upsert(key);
    return e->MakeList();
  }
  return e->list();
}

// Lists: the key disappears with its last element, as in Redis.
absl::Status ApplyList(Db& d, const std::string& op, std::span<const std::string_view> argv) {
  if (argv.size() < 2) return Bad(argv, "arity");
  std::string_view key = argv[1];
  Entry* existing = d.FindRaw(key);
  if (existing != nullptr && existing->list() == nullptr) return Bad(argv, "wrong type");
  if (op == "LPUSH" || op == "RPUSH") {
    if (argv.size() < 3) return Bad(argv, "arity");
    ListValue* l = ListFor(d, key, true);
    for (size_t i = 2; i < argv.size(); ++i) {
      op == "LPUSH" ? l->emplace_front(argv[i]) : l->emplace_back(argv[i]);
    }
    return absl::OkStatus();
  }
  ListValue* l = existing ? existing->list() : nullptr;
  if (l == nullptr) return Bad(argv, "no such key");
  int64_t a = 0, b = 0;
  if (op == "LPOP" || op == "RPOP") {
    if (argv.size() != 3 || !ParseI64(argv[2], &a) || a < 0) return Bad(argv, "syntax");
    for (int64_t i = 0; i < a && !l->empty(); ++i) op == "LPOP" ? l->pop_front() : l->pop_back();
  } else if (op == "LSET") {
    if (argv.size() != 4 || !ParseI64(argv[2], &a) || a < 0 ||
        static_cast<size_t>(a) >= l->size()) {
      return Bad(argv, "index");
    }
    (*l)[static_cast<size_t>(a)] = std::string(argv[3]);
  } else if (op == "LTRIM") {
    // Absolute, already-normalised bounds [a, b]; b < a empties the list.
    if (argv.size() != 4 || !ParseI64(argv[2], &a) || !ParseI64(argv[3], &b) || a < 0) {
      return Bad(argv, "syntax");
    }
    int64_t n = static_cast<int64_t>(l->size());
    if (b < a || a >= n) {
      l->clear();
    } else {
      b = std::min(b, n - 1);
      l->erase(l->begin() + (b + 1), l->end());
      l->erase(l->begin(), l->begin() + a);
    }
  } else if (op == "LREM") {
    if (argv.size() != 4 || !ParseI64(argv[2], &a)) return Bad(argv, "syntax");
    std::string_view v = argv[3];
    int64_t removed = 0;
    if (a >= 0) {
      for (auto it = l->begin(); it != l->end() && (a == 0 || removed < a);) {
        if (*it == v) {
          it = l->erase(it);
          ++removed;
        } else {
          ++it;
        }
      }
    } else {
      for (auto it = l->end(); it != l->begin() && removed < -a;) {
        --it;
        if (*it == v) {
          it = l->erase(it);
          ++removed;
        }
      }
    }
  } else if (op == "LINSERT") {
    if (argv.size() != 5) return Bad(argv, "arity");
    bool before = absl::AsciiStrToUpper(std::string(argv[2])) == "BEFORE";
    for (auto it = l->begin(); it != l->end(); ++it) {
      if (*it == argv[3]) {
        l->insert(before ? it : it + 1, std::string(argv[4]));
        break;
      }
    }
  } else {
    return Bad(argv, "unknown effect");
  }
  if (l->empty()) d.Erase(key);
  return absl::OkStatus();
}

// Sets: SADD creates; SREM removes and the key disappears with its last member.
absl::Status ApplySet(Db& d, bool add, std::span<const std::string_view> argv) {
  if (argv.size() < 3) return Bad(argv, "arity");
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
  // A hash set never shrinks by itself: after many SREM/SPOP its live members sit among empty
  // slots that every iteration (SPOP's pick, SMEMBERS, SSCAN) walks. Shrink once it is a
  // quarter full (amortised O(1) per removal).
  if (!add && set->capacity() > 64 && set->size() * 4 < set->capacity()) set->rehash(0);
  return absl::OkStatus();
}

// Sorted sets: ZADD key score member [score member ...] with absolute scores (%.17g, inf/-inf),
// ZREM key member [...]; the key disappears with its last member.
absl::Status ApplyZSet(Db& d, bool add, std::span<const std::string_view> argv) {
  if (argv.size() < 3 || (add && argv.size() % 2 != 0)) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    if (!add) return absl::OkStatus();
    e = &d.Upsert(argv[1]);
    e->MakeZSet();
  }
  ZSetValue* z = e->zset();
  if (z == nullptr) return Bad(argv, "wrong type");
  if (add) {
    for (size_t i = 2; i + 1 < argv.size(); i += 2) {
      std::string text(argv[i]);
      char* end = nullptr;
      double score = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size() || std::isnan(score)) return Bad(argv, "score");
      z->Set(argv[i + 1], score);
    }
  } else {
    for (size_t i = 2; i < argv.size(); ++i) z->Remove(argv[i]);
  }
  if (z->size() == 0) d.Erase(argv[1]);
  return absl::OkStatus();
}

// COPY src dst_db dst: a deep copy of value and expiry, replacing dst.
absl::Status ApplyCopy(State& state, Db& d, std::span<const std::string_view> argv) {
  int64_t dst_db = 0;
  if (argv.size() != 4 || !ParseI64(argv[2], &dst_db) || dst_db < 0 || dst_db >= kDatabaseCount) {
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

}  // namespace

absl::Status ApplyOp(State& state, uint8_t db, std::span<const std::string_view> argv) {
  if (argv.empty()) return absl::InvalidArgumentError("empty effect");
  if (db >= kDatabaseCount) return Bad(argv, "database index out of range");
  Db& d = state.db(db);
  std::string op = absl::AsciiStrToUpper(std::string(argv[0]));
  if (op == "SET") return ApplySet(d, argv);
  if (op == "DEL") {
    if (argv.size() < 2) return Bad(argv, "arity");
    for (size_t i = 1; i < argv.size(); ++i) d.Erase(argv[i]);
    return absl::OkStatus();
  }
  if (op == "PEXPIREAT") {
    int64_t at = 0;
    if (argv.size() != 3 || !ParseI64(argv[2], &at) || at <= 0) return Bad(argv, "syntax");
    Entry* e = d.FindRaw(argv[1]);
    if (e == nullptr) return Bad(argv, "no such key");
    d.SetExpiry(argv[1], *e, at);
    return absl::OkStatus();
  }
  if (op == "PERSIST") {
    if (argv.size() != 2) return Bad(argv, "arity");
    if (Entry* e = d.FindRaw(argv[1])) d.SetExpiry(argv[1], *e, 0);
    return absl::OkStatus();
  }
  if (op == "APPEND") {
    if (argv.size() != 3) return Bad(argv, "arity");
    Entry* e = d.FindRaw(argv[1]);
    if (e == nullptr) {
      e = &d.Upsert(argv[1]);  // a new entry is an empty string
    }
    if (!e->str()) return Bad(argv, "wrong type");
    e->AppendString(argv[2]);
    return absl::OkStatus();
  }
  if (op == "SETRANGE") return ApplySetRange(d, argv);
  if (op == "HSET") return ApplyHset(d, argv);
  if (op == "HDEL") return ApplyHdel(d, argv);
  if (op == "RENAME") return ApplyRename(d, argv);
  if (op == "COPY") return ApplyCopy(state, d, argv);
  if (op == "SADD" || op == "SREM") return ApplySet(d, op == "SADD", argv);
  if (op == "ZADD" || op == "ZREM") return ApplyZSet(d, op == "ZADD", argv);
  if (op == "LPUSH" || op == "RPUSH" || op == "LPOP" || op == "RPOP" || op == "LSET" ||
      op == "LTRIM" || op == "LREM" || op == "LINSERT") {
    return ApplyList(d, op, argv);
  }
  if (op == "FLUSHDB") {
    d.Clear();
    return absl::OkStatus();
  }
  if (op == "FLUSHALL") {
    for (int i = 0; i < kDatabaseCount; ++i) state.db(i).Clear();
    return absl::OkStatus();
  }
  return Bad(argv, "unknown effect");
}

}  // namespace strongbox::state
