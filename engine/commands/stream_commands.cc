// Streams: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD, XINFO STREAM (Redis 7.0).
// Every write is logged with resolved IDs (apply.cc's XADD/XDEL/XTRIM/XSETID effects), so replay
// reproduces entries, the last ID, entries-added and the largest deleted ID exactly. Consumer
// groups: stream_group_commands.cc and stream_claim_commands.cc.
#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command.h"
#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {
namespace {

using state::StreamId;
using state::StreamValue;
using state::ValueType;

constexpr std::string_view kErrInvalidId =
    "ERR Invalid stream ID specified as stream command argument";
constexpr std::string_view kErrIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
constexpr StreamId kMaxId{UINT64_MAX, UINT64_MAX};

// Redis's streamGenericParseIDOrReply: "-" and "+" only when not strict; "ms-*" only where
// `seq_given` is asked for (XADD). Replies the error and returns nullopt on failure.
std::optional<StreamId> ParseId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq,
                                bool strict, bool* seq_given = nullptr) {
  if (seq_given != nullptr) *seq_given = true;
  std::optional<StreamId> id;
  if (arg.size() <= 127) {
    if (!strict && arg == "-") return StreamId{};
    if (!strict && arg == "+") return kMaxId;
    size_t dash = arg.find('-');
    if (seq_given != nullptr && dash != std::string_view::npos && arg.substr(dash + 1) == "*") {
      id = state::ParseStreamId(arg.substr(0, dash), 0);
      *seq_given = false;
    } else {
      id = state::ParseStreamId(arg, missing_seq);
    }
  }
  if (!id) ctx.reply.Error(kErrInvalidId);
  return id;
}

bool LookupStream(CommandContext& ctx, std::string_view key, state::Entry** e) {
  return LookupTyped(ctx, key, ValueType::kStream, e);
}

void ReplyEntry(CommandContext& ctx, StreamId id, const StreamValue::Fields& fields) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(id.ToString());
  ctx.reply.ArrayHeader(static_cast<int64_t>(fields.size()));
  for (const auto& f : fields) ctx.reply.Bulk(f);
}

// Entries in [start, end] (both inclusive), at most `count` (0 = all), reversed if `rev`.
void ReplyRange(CommandContext& ctx, const StreamValue& st, StreamId start, StreamId end,
                int64_t count, bool rev) {
  std::vector<state::StreamEntry> out;  // views into the stream, which nothing changes here
  if (start <= end) {
    auto lo = st.entries.lower_bound(start);
    auto hi = st.entries.upper_bound(end);
    auto take = [&](const state::StreamEntry& e) {
      if (count != 0 && static_cast<int64_t>(out.size()) >= count) return false;
      out.push_back(e);
      return true;
    };
    if (rev) {
      for (auto it = std::make_reverse_iterator(hi); it != std::make_reverse_iterator(lo); ++it) {
        if (!take(*it)) break;
      }
    } else {
      for (auto it = lo; it != hi; ++it) {
        if (!take(*it)) break;
      }
    }
  }
  ctx.reply.ArrayHeader(static_cast<int64_t>(out.size()));
  for (const auto& [id, fields] : out) ReplyEntry(ctx, id, fields);
}

// --- Trimming (XADD's options and XTRIM) ---

struct TrimArgs {
  enum Strategy { kNone, kMaxLen, kMinId } strategy = kNone;
  bool approx = false;
  int64_t max_len = 0;
  StreamId min_id;
  int64_t limit = 0;  // entries; 0 = no limit
  bool limit_given = false;
};

// Parses MAXLEN|MINID [=|~] threshold and LIMIT at argv[*i]; false (error replied) on a bad
// value; *matched false when argv[*i] is not a trim option.
bool ParseTrimOption(CommandContext& ctx, size_t* i, TrimArgs* t, bool* matched) {
  std::string_view opt = ctx.argv[*i];
  size_t more = ctx.argv.size() - 1 - *i;
  *matched = false;
  bool maxlen = EqualsIgnoreCase(opt, "MAXLEN"), minid = EqualsIgnoreCase(opt, "MINID");
  if ((maxlen || minid) && more > 0) {
    if (t->strategy != TrimArgs::kNone &&
        t->strategy != (maxlen ? TrimArgs::kMaxLen : TrimArgs::kMinId)) {
      ctx.reply.Error(
          "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      return false;
    }
    *matched = true;
    std::string_view next = ctx.argv[*i + 1];
    if ((next == "~" || next == "=") && more >= 2) {
      t->approx = next == "~";
      ++*i;
    }
    ++*i;
    if (maxlen) {
      auto n = ParseInt(ctx.argv[*i]);
      if (!n) return ctx.reply.Error(kErrNotInteger), false;
      if (*n < 0) return ctx.reply.Error("ERR The MAXLEN argument must be >= 0."), false;
      t->max_len = *n;
      t->strategy = TrimArgs::kMaxLen;
    } else {
      auto id = ParseId(ctx, ctx.argv[*i], 0, true);
      if (!id) return false;
      t->min_id = *id;
      t->strategy = TrimArgs::kMinId;
    }
    return true;
  }
  if (EqualsIgnoreCase(opt, "LIMIT") && more > 0) {
    *matched = true;
    ++*i;
    auto n = ParseInt(ctx.argv[*i]);
    if (!n) return ctx.reply.Error(kErrNotInteger), false;
    if (*n < 0) return ctx.reply.Error("ERR The LIMIT argument must be >= 0."), false;
    t->limit = *n;
    t->limit_given = true;
  }
  return true;
}

bool CheckTrimArgs(CommandContext& ctx, TrimArgs* t) {
  if (t->limit_given && t->strategy == TrimArgs::kNone) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (t->limit_given && !t->approx) {
    ctx.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
    return false;
  }
  if (!t->limit_given && t->approx) t->limit = 100 * static_cast<int64_t>(state::kNodeMaxEntries);
  return true;
}

// The entries a `~` trim removes: whole nodes from the head, as Redis's streamTrim does, while
// the node's removal leaves at least `max_len` entries (or its entries are all below `min_id`)
// and the entries removed stay within `limit`. *bound is the last ID removed.
size_t ApproxTrimCount(const StreamValue& st, const TrimArgs& t, StreamId* bound) {
  size_t size = st.size();
  auto take = [&](size_t before, size_t live, StreamId last_live) {
    if (t.limit != 0 && before + live > static_cast<size_t>(t.limit)) return false;
    if (t.strategy == TrimArgs::kMaxLen) {
      return size - before - live >= static_cast<size_t>(t.max_len);
    }
    return last_live < t.min_id;
  };
  return st.entries.WholeHeadNodes(take, bound);
}

// Trims as Redis could: exactly with `=`; with `~` only whole nodes from the head. Logged as
// XTRIM MAXID of the last entry removed.
int64_t Trim(CommandContext& ctx, std::string_view key, StreamValue& st, const TrimArgs& t) {
  if (t.strategy == TrimArgs::kNone) return 0;
  size_t removable = 0;
  StreamId bound;
  if (t.approx) {
    removable = ApproxTrimCount(st, t, &bound);
  } else {
    size_t size = st.size();
    if (t.strategy == TrimArgs::kMaxLen) {
      auto max_len = static_cast<size_t>(t.max_len);
      removable = size > max_len ? size - max_len : 0;
    } else {
      removable = st.entries.CountBelow(t.min_id);
    }
    if (removable != 0) bound = st.entries.IdAt(removable - 1);
  }
  if (removable == 0) return 0;
  Apply(ctx, {"XTRIM", key, "MAXID", bound.ToString()});
  return static_cast<int64_t>(removable);
}

// --- Commands ---

// The ID XADD would give: *ids the user's, or generated from the clock (`*`) or `ms-*`.
std::optional<StreamId> NextId(CommandContext& ctx, const StreamValue* st, bool id_given,
                               StreamId id, bool seq_given) {
  StreamId last = st != nullptr ? st->last_id : StreamId{};
  if (!id_given) {
    uint64_t now = static_cast<uint64_t>(std::max<int64_t>(ctx.now_ms, 0));
    if (now > last.ms) return StreamId{now, 0};
    auto next = last.Next();
    if (!next) ctx.reply.Error(kErrIdTooSmall);
    return next;
  }
  if (!seq_given) {
    if (id.ms == last.ms && last.seq == UINT64_MAX) {
      ctx.reply.Error(kErrIdTooSmall);
      return std::nullopt;
    }
    id.seq = id.ms == last.ms ? last.seq + 1 : 0;
  }
  if (id <= last) {
    ctx.reply.Error(kErrIdTooSmall);
    return std::nullopt;
  }
  return id;
}

void Xadd(CommandContext& ctx) {
  TrimArgs trim;
  bool no_mkstream = false, id_given = false, seq_given = true;
  StreamId id;
  size_t i = 2;
  for (; i < ctx.argv.size(); ++i) {
    std::string_view opt = ctx.argv[i];
    if (opt == "*") break;
    bool matched = false;
    if (!ParseTrimOption(ctx, &i, &trim, &matched)) return;
    if (matched) continue;
    if (EqualsIgnoreCase(opt, "NOMKSTREAM")) {
      no_mkstream = true;
      continue;
    }
    auto parsed = ParseId(ctx, opt, 0, true, &seq_given);
    if (!parsed) return;
    id = *parsed;
    id_given = true;
    break;
  }
  if (!CheckTrimArgs(ctx, &trim)) return;
  size_t fields_at = i + 1;
  if (fields_at >= ctx.argv.size() || (ctx.argv.size() - fields_at) % 2 != 0) {
    ctx.reply.Error("ERR wrong number of arguments for 'xadd' command");
    return;
  }
  if (id_given && seq_given && id == StreamId{}) {
    ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  std::string_view key = ctx.argv[1];
  DropIfExpired(ctx, key);
  state::Entry* e;
  if (!LookupStream(ctx, key, &e)) return;
  if (e == nullptr && no_mkstream) return ctx.reply.Null();
  const StreamValue* st = e != nullptr ? e->stream() : nullptr;
  if (st != nullptr && st->last_id == kMaxId) {
    ctx.reply.Error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  auto new_id = NextId(ctx, st, id_given, id, seq_given);
  if (!new_id) return;
  std::string id_text = new_id->ToString();
  std::vector<std::string_view> effect{"XADD", key, id_text};
  effect.insert(effect.end(), ctx.argv.begin() + static_cast<ptrdiff_t>(fields_at), ctx.argv.end());
  Apply(ctx, effect);
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xadd", key);
  state::Entry* added = CurrentDb(ctx).Find(key, ctx.now_ms);
  if (trim.strategy != TrimArgs::kNone && Trim(ctx, key, *added->stream(), trim) > 0) {
    NotifyKeyspaceEvent(ctx, kNotifyStream, "xtrim", key);
  }
  ctx.reply.Bulk(id_text);
}

void Xtrim(CommandContext& ctx) {
  TrimArgs trim;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    bool matched = false;
    if (!ParseTrimOption(ctx, &i, &trim, &matched)) return;
    if (!matched) return ctx.reply.Error(kErrSyntax);
  }
  if (!CheckTrimArgs(ctx, &trim)) return;
  if (trim.strategy == TrimArgs::kNone) return ctx.reply.Error(kErrSyntax);
  state::Entry* e;
  if (!LookupStream(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t removed = Trim(ctx, ctx.argv[1], *e->stream(), trim);
  if (removed > 0) NotifyKeyspaceEvent(ctx, kNotifyStream, "xtrim", ctx.argv[1]);
  ctx.reply.Integer(removed);
}

void RangeCommand(CommandContext& ctx, bool rev) {
  std::string_view start_arg = ctx.argv[rev ? 3 : 2], end_arg = ctx.argv[rev ? 2 : 3];
  auto parse = [&](std::string_view arg, uint64_t missing_seq, bool* exclusive) {
    *exclusive = arg.size() > 1 && arg[0] == '(';
    return *exclusive ? ParseId(ctx, arg.substr(1), missing_seq, true)
                      : ParseId(ctx, arg, missing_seq, false);
  };
  bool start_ex = false, end_ex = false;
  auto start = parse(start_arg, 0, &start_ex);
  if (!start) return;
  auto end = parse(end_arg, UINT64_MAX, &end_ex);
  if (!end) return;
  if (start_ex) {
    auto next = start->Next();
    if (!next) return ctx.reply.Error("ERR invalid start ID for the interval");
    start = next;
  }
  if (end_ex) {
    if (*end == StreamId{}) return ctx.reply.Error("ERR invalid end ID for the interval");
    end = end->seq != 0 ? StreamId{end->ms, end->seq - 1} : StreamId{end->ms - 1, UINT64_MAX};
  }
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argv.size(); ++j) {
    if (EqualsIgnoreCase(ctx.argv[j], "COUNT") && j + 1 < ctx.argv.size()) {
      auto n = ParseInt(ctx.argv[++j]);
      if (!n) return ctx.reply.Error(kErrNotInteger);
      count = std::max<int64_t>(*n, 0);
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  state::Entry* e;
  if (!LookupStream(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.ArrayHeader(0);
  if (count == 0) return ctx.reply.NullArray();
  ReplyRange(ctx, *e->stream(), *start, *end, count < 0 ? 0 : count, rev);
}

void Xrange(CommandContext& ctx) { RangeCommand(ctx, false); }
void Xrevrange(CommandContext& ctx) { RangeCommand(ctx, true); }

void Xlen(CommandContext& ctx) {
  state::Entry* e;
  if (!LookupStream(ctx, ctx.argv[1], &e)) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(e->stream()->size()));
}

void Xdel(CommandContext& ctx) {
  std::vector<StreamId> ids;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    auto id = ParseId(ctx, ctx.argv[i], 0, true);
    if (!id) return;
    ids.push_back(*id);
  }
  state::Entry* e;
  if (!LookupStream(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  std::vector<std::string> deleted;
  for (StreamId id : ids) {
    std::string text = id.ToString();
    bool present = e->stream()->entries.count(id) != 0 &&
                   std::find(deleted.begin(), deleted.end(), text) == deleted.end();
    if (present) deleted.push_back(std::move(text));
  }
  if (!deleted.empty()) {
    std::vector<std::string_view> effect{"XDEL", ctx.argv[1]};
    effect.insert(effect.end(), deleted.begin(), deleted.end());
    Apply(ctx, effect);
    NotifyKeyspaceEvent(ctx, kNotifyStream, "xdel", ctx.argv[1]);
  }
  ctx.reply.Integer(static_cast<int64_t>(deleted.size()));
}

void Xsetid(CommandContext& ctx) {
  auto id = ParseId(ctx, ctx.argv[2], 0, true);
  if (!id) return;
  int64_t entries_added = -1;
  std::optional<StreamId> max_deleted;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    bool more = i + 1 < ctx.argv.size();
    if (EqualsIgnoreCase(ctx.argv[i], "ENTRIESADDED") && more) {
      auto n = ParseInt(ctx.argv[++i]);
      if (!n) return ctx.reply.Error(kErrNotInteger);
      if (*n < 0) return ctx.reply.Error("ERR entries_added must be positive");
      entries_added = *n;
    } else if (EqualsIgnoreCase(ctx.argv[i], "MAXDELETEDID") && more) {
      max_deleted = ParseId(ctx, ctx.argv[++i], 0, true);
      if (!max_deleted) return;
      if (*id < *max_deleted) {
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  state::Entry* e;
  if (!LookupStream(ctx, ctx.argv[1], &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  const StreamValue& st = *e->stream();
  if (!st.entries.empty() && *id < st.entries.rbegin()->first) {
    return ctx.reply.Error(
        "ERR The ID specified in XSETID is smaller than the target stream top item");
  }
  if (entries_added != -1 && static_cast<int64_t>(st.size()) > entries_added) {
    return ctx.reply.Error(
        "ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  std::string last = id->ToString();
  std::string added =
      std::to_string(entries_added != -1 ? static_cast<uint64_t>(entries_added) : st.entries_added);
  std::string deleted = max_deleted.value_or(st.max_deleted_id).ToString();
  Apply(ctx, {"XSETID", ctx.argv[1], last, added, deleted});
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xsetid", ctx.argv[1]);
  ctx.reply.SimpleString("OK");
}

}  // namespace

// XREAD and XINFO live in stream_read_commands.cc.
void RegisterStreamReadCommands(CommandRegistry& r);

void RegisterStreamCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  r.Add({"xadd", -5, kWrite | kDenyOom | kFast, 1, 1, 1, Xadd});
  r.Add({"xtrim", -4, kWrite, 1, 1, 1, Xtrim});
  r.Add({"xrange", -4, kReadonly, 1, 1, 1, Xrange});
  r.Add({"xrevrange", -4, kReadonly, 1, 1, 1, Xrevrange});
  r.Add({"xlen", 2, kReadonly | kFast, 1, 1, 1, Xlen});
  r.Add({"xdel", -3, kWrite | kFast, 1, 1, 1, Xdel});
  r.Add({"xsetid", -3, kWrite | kDenyOom | kFast, 1, 1, 1, Xsetid});
  RegisterStreamReadCommands(r);
}

}  // namespace strongbox::engine
