// Applying the consumer-group effects (see stream_group_effects.h and docs/format.md).
#include "common/state/stream_group_effects.h"

#include <charconv>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/state/stream_groups.h"

namespace strongbox::state {
namespace {

absl::Status Bad(EffectArgv argv, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot apply effect '", std::string(argv[0]), "': ", std::string(why)));
}

template <typename Int>
bool ParseNumber(std::string_view s, Int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

StreamValue* FindStream(Db& d, std::string_view key) {
  Entry* e = d.FindRaw(key);
  return e == nullptr ? nullptr : e->stream();
}

// The stream and group every effect but XGROUPCREATE names.
absl::Status FindStreamGroup(Db& d, EffectArgv argv, StreamValue** st, StreamGroup** g) {
  *st = FindStream(d, argv[1]);
  if (*st == nullptr) return Bad(argv, "no such stream");
  *g = FindGroup(**st, argv[2]);
  return *g == nullptr ? Bad(argv, "no such group") : absl::OkStatus();
}

// ms-seq and entries-read at argv[3], argv[4].
absl::Status ParsePosition(EffectArgv argv, StreamId* id, int64_t* entries_read) {
  auto parsed = ParseExactStreamId(argv[3]);
  if (!parsed || !ParseNumber(argv[4], entries_read) || *entries_read < kEntriesReadUnknown) {
    return Bad(argv, "syntax");
  }
  *id = *parsed;
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyXGroupCreate(State&, Db& d, EffectArgv argv) {
  StreamId id;
  int64_t entries_read = 0;
  if (auto s = ParsePosition(argv, &id, &entries_read); !s.ok()) return s;
  if (d.FindRaw(argv[1]) == nullptr) d.Upsert(argv[1]).MakeStream();  // MKSTREAM
  StreamValue* st = FindStream(d, argv[1]);
  if (st == nullptr) return Bad(argv, "wrong type");
  auto [it, inserted] = st->groups.GetOrCreate().by_name.try_emplace(std::string(argv[2]));
  if (!inserted) return Bad(argv, "group exists");
  it->second.last_delivered_id = id;
  it->second.entries_read = entries_read;
  return absl::OkStatus();
}

absl::Status ApplyXGroupSetId(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  return ParsePosition(argv, &g->last_delivered_id, &g->entries_read);
}

absl::Status ApplyXGroupDestroy(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  st->groups.get()->by_name.erase(std::string(argv[2]));
  return absl::OkStatus();
}

absl::Status ApplyXConsumer(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  int64_t seen_ms = 0;
  if (!ParseNumber(argv[4], &seen_ms)) return Bad(argv, "syntax");
  g->TouchConsumer(argv[3], seen_ms);
  return absl::OkStatus();
}

absl::Status ApplyXDelConsumer(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  g->DeleteConsumer(argv[3]);
  return absl::OkStatus();
}

absl::Status ApplyXPel(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  if ((argv.size() - 4) % 3 != 0) return Bad(argv, "arity");
  if (!g->consumers.contains(argv[3])) return Bad(argv, "no such consumer");
  for (size_t i = 4; i < argv.size(); i += 3) {
    auto id = ParseExactStreamId(argv[i]);
    int64_t time_ms = 0;
    uint64_t count = 0;
    if (!id || !ParseNumber(argv[i + 1], &time_ms) || !ParseNumber(argv[i + 2], &count)) {
      return Bad(argv, "syntax");
    }
    g->SetPending(*id, argv[3], time_ms, count);
  }
  return absl::OkStatus();
}

absl::Status ApplyXAck(State&, Db& d, EffectArgv argv) {
  StreamValue* st;
  StreamGroup* g;
  if (auto s = FindStreamGroup(d, argv, &st, &g); !s.ok()) return s;
  for (size_t i = 3; i < argv.size(); ++i) {
    auto id = ParseExactStreamId(argv[i]);
    if (!id) return Bad(argv, "bad id");
    g->Ack(*id);
  }
  return absl::OkStatus();
}

}  // namespace strongbox::state
