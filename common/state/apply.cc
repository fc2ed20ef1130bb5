// Deterministic application of logged effects (see apply.h for the vocabulary).
#include "common/state/apply.h"

#include <charconv>
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
  int64_t old_expiry = e.expire_at_ms;
  e.value = std::string(argv[2]);
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
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->value = std::string();
  }
  std::string* s = e->str();
  if (s == nullptr) return Bad(argv, "wrong type");
  size_t end = static_cast<size_t>(offset) + argv[3].size();
  if (s->size() < end) s->resize(end, '\0');
  s->replace(static_cast<size_t>(offset), argv[3].size(), argv[3]);
  return absl::OkStatus();
}

absl::Status ApplyHset(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() < 4 || argv.size() % 2 != 0) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) {
    e = &d.Upsert(argv[1]);
    e->value = std::make_unique<HashValue>();
  }
  HashValue* h = e->hash();
  if (h == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i + 1 < argv.size(); i += 2) {
    (*h)[argv[i]] = std::string(argv[i + 1]);
  }
  return absl::OkStatus();
}

absl::Status ApplyHdel(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() < 3) return Bad(argv, "arity");
  Entry* e = d.FindRaw(argv[1]);
  if (e == nullptr) return absl::OkStatus();
  HashValue* h = e->hash();
  if (h == nullptr) return Bad(argv, "wrong type");
  for (size_t i = 2; i < argv.size(); ++i) h->erase(argv[i]);
  if (h->empty()) d.Erase(argv[1]);
  return absl::OkStatus();
}

absl::Status ApplyRename(Db& d, std::span<const std::string_view> argv) {
  if (argv.size() != 3) return Bad(argv, "arity");
  Entry* src = d.FindRaw(argv[1]);
  if (src == nullptr) return Bad(argv, "no such key");
  if (argv[1] == argv[2]) return absl::OkStatus();
  Entry moved;
  moved.value = std::move(src->value);
  int64_t expiry = src->expire_at_ms;
  d.Erase(argv[1]);
  d.Erase(argv[2]);
  Entry& dst = d.Upsert(argv[2]);
  dst.value = std::move(moved.value);
  d.SetExpiry(argv[2], dst, expiry);
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
      e = &d.Upsert(argv[1]);
      e->value = std::string();
    }
    if (e->str() == nullptr) return Bad(argv, "wrong type");
    e->str()->append(argv[2]);
    return absl::OkStatus();
  }
  if (op == "SETRANGE") return ApplySetRange(d, argv);
  if (op == "HSET") return ApplyHset(d, argv);
  if (op == "HDEL") return ApplyHdel(d, argv);
  if (op == "RENAME") return ApplyRename(d, argv);
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
