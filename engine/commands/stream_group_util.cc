// Shared helpers of the consumer-group commands (see stream_group_util.h).
#include "engine/commands/stream_group_util.h"

#include <cstdint>
#include <string>

#include "engine/commands/command_util.h"
#include "engine/commands/keyspace_events.h"

namespace strongbox::engine {

using state::StreamId;

std::optional<StreamId> ParseStreamIdArg(CommandContext& ctx, std::string_view arg,
                                         uint64_t missing_seq, bool strict) {
  std::optional<StreamId> id;
  if (!strict && arg == "-") return StreamId{};
  if (!strict && arg == "+") return StreamId{UINT64_MAX, UINT64_MAX};
  if (arg.size() <= 127) id = state::ParseStreamId(arg, missing_seq);
  if (!id) ctx.reply.Error(kErrInvalidStreamId);
  return id;
}

std::optional<StreamId> ParseIntervalStart(CommandContext& ctx, std::string_view arg) {
  if (arg.size() > 1 && arg[0] == '(') {
    auto id = ParseStreamIdArg(ctx, arg.substr(1), 0, true);
    if (!id) return id;
    auto next = id->Next();
    if (!next) ctx.reply.Error("ERR invalid start ID for the interval");
    return next;
  }
  return ParseStreamIdArg(ctx, arg, 0, false);
}

std::optional<StreamId> ParseIntervalEnd(CommandContext& ctx, std::string_view arg) {
  if (arg.size() > 1 && arg[0] == '(') {
    auto id = ParseStreamIdArg(ctx, arg.substr(1), UINT64_MAX, true);
    if (!id) return id;
    if (*id == StreamId{}) {
      ctx.reply.Error("ERR invalid end ID for the interval");
      return std::nullopt;
    }
    return id->seq != 0 ? StreamId{id->ms, id->seq - 1} : StreamId{id->ms - 1, UINT64_MAX};
  }
  return ParseStreamIdArg(ctx, arg, UINT64_MAX, false);
}

bool ParseStreamBlockMs(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms) {
  // A script cannot wait (Redis 7.0 refuses BLOCK there before reading its value; without BLOCK
  // both commands run in scripts).
  if (ctx.client.in_script) {
    ctx.reply.Error("ERR " + std::string(ctx.argv[0]) +
                    " command is not allowed with BLOCK option from scripts");
    return false;
  }
  auto ms = ParseInt(arg);
  if (!ms) return ctx.reply.Error("ERR timeout is not an integer or out of range"), false;
  if (*ms < 0) return ctx.reply.Error("ERR timeout is negative"), false;
  *deadline_ms = *ms == 0 || *ms > INT64_MAX - ctx.now_ms ? 0 : ctx.now_ms + *ms;
  return true;
}

bool CountStreamsArgs(CommandContext& ctx, size_t streams_at, size_t* stream_count) {
  size_t rest = ctx.argv.size() - streams_at;
  if (rest % 2 != 0) {
    // Redis 7.0 names XREAD and '$' for XREADGROUP too.
    ctx.reply.Error(
        "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
        "specified.");
    return false;
  }
  *stream_count = rest / 2;
  return true;
}

void ReplyHelpLines(CommandContext& ctx, std::span<const std::string_view> lines) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

void SubcommandSyntaxError(CommandContext& ctx, std::string_view family) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(ctx.argv[1]) + "'. Try " + std::string(family) + " HELP.");
}

std::string NoGroupForKeyError(std::string_view key, std::string_view group) {
  std::string out = "NOGROUP No such consumer group '";
  out.append(group).append("' for key name '").append(key).append("'");
  return out;
}

std::string NoKeyOrGroupError(std::string_view key, std::string_view group,
                              std::string_view suffix) {
  std::string out = "NOGROUP No such key '";
  out.append(key).append("' or consumer group '").append(group).append("'").append(suffix);
  return out;
}

bool ReplyEntryIfPresent(CommandContext& ctx, const state::StreamValue& st, StreamId id) {
  auto it = st.entries.find(id);
  if (it == st.entries.end()) return false;
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(id.ToString());
  ctx.reply.ArrayHeader(static_cast<int64_t>(it->second.size()));
  for (const auto& f : it->second) ctx.reply.Bulk(f);
  return true;
}

bool LookupStreamValue(CommandContext& ctx, std::string_view key, state::StreamValue** st) {
  state::Entry* e;
  if (!LookupTyped(ctx, key, state::ValueType::kStream, &e)) return false;
  *st = e != nullptr ? e->stream() : nullptr;
  return true;
}

void TouchConsumer(CommandContext& ctx, std::string_view key, std::string_view group,
                   std::string_view consumer) {
  state::StreamValue* st = nullptr;
  LookupStreamValue(ctx, key, &st);
  const state::StreamGroup* g = st != nullptr ? state::FindGroup(*st, group) : nullptr;
  bool created = g != nullptr && !g->consumers.contains(consumer);
  std::string now = std::to_string(ctx.now_ms);
  Apply(ctx, {"XCONSUMER", key, group, consumer, now});
  if (created) NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-createconsumer", key);
}

void ApplyPendingUpdates(CommandContext& ctx, std::string_view key, std::string_view group,
                         std::string_view consumer, const PendingUpdates& updates) {
  if (updates.empty()) return;
  std::vector<std::string> texts;
  texts.reserve(updates.size() * 3);
  for (const auto& [id, p] : updates) {
    texts.push_back(id.ToString());
    texts.push_back(std::to_string(p.delivery_time_ms));
    texts.push_back(std::to_string(p.delivery_count));
  }
  std::vector<std::string_view> effect{"XPEL", key, group, consumer};
  effect.insert(effect.end(), texts.begin(), texts.end());
  Apply(ctx, effect);
}

void ApplyAcks(CommandContext& ctx, std::string_view key, std::string_view group,
               const std::vector<StreamId>& ids) {
  if (ids.empty()) return;
  std::vector<std::string> texts;
  texts.reserve(ids.size());
  for (StreamId id : ids) texts.push_back(id.ToString());
  std::vector<std::string_view> effect{"XACK", key, group};
  effect.insert(effect.end(), texts.begin(), texts.end());
  Apply(ctx, effect);
}

}  // namespace strongbox::engine
