// What the consumer-group commands (stream_group_commands.cc, stream_claim_commands.cc) and
// XINFO share: Redis 7.0's ID parsing and error texts, entry replies, and the effects that
// record deliveries (XCONSUMER, XPEL) with resolved times and counts.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/state/stream_groups.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

inline constexpr std::string_view kErrInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";

// Redis's streamParseIDOrReply (`strict` false: "-" and "+" too); "ms" alone takes missing_seq.
// Replies the error and returns nullopt on failure.
std::optional<state::StreamId> ParseStreamIdArg(CommandContext& ctx, std::string_view arg,
                                                uint64_t missing_seq, bool strict);
// Redis's streamParseIntervalIDOrReply plus the exclusive-bound step: "(id" excludes id.
std::optional<state::StreamId> ParseIntervalStart(CommandContext& ctx, std::string_view arg);
std::optional<state::StreamId> ParseIntervalEnd(CommandContext& ctx, std::string_view arg);

// XREAD / XREADGROUP: BLOCK's milliseconds as an absolute deadline (0: forever; refused from a
// script), and the number of streams after STREAMS at argv[streams_at]; false once Redis's
// error is replied.
bool ParseStreamBlockMs(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms);
bool CountStreamsArgs(CommandContext& ctx, size_t streams_at, size_t* stream_count);

// A HELP reply: one simple string per line.
void ReplyHelpLines(CommandContext& ctx, std::span<const std::string_view> lines);
// Redis's addReplySubcommandSyntaxError for `family` (XGROUP, XINFO): names argv[1] as typed.
void SubcommandSyntaxError(CommandContext& ctx, std::string_view family);

// "-NOGROUP No such consumer group 'g' for key name 'k'" (XGROUP, XINFO CONSUMERS).
std::string NoGroupForKeyError(std::string_view key, std::string_view group);
// "-NOGROUP No such key 'k' or consumer group 'g'" and suffix (XPENDING, XCLAIM...).
std::string NoKeyOrGroupError(std::string_view key, std::string_view group,
                              std::string_view suffix = "");

// [id, [field, value...]]; false (nothing replied) when the stream no longer holds id.
bool ReplyEntryIfPresent(CommandContext& ctx, const state::StreamValue& st, state::StreamId id);

// The stream of an existing stream key (nullptr if absent); WRONGTYPE replied -> false.
bool LookupStreamValue(CommandContext& ctx, std::string_view key, state::StreamValue** st);

// Logs and applies XCONSUMER: creates `consumer` (with the xgroup-createconsumer event) or
// refreshes its seen time to now.
void TouchConsumer(CommandContext& ctx, std::string_view key, std::string_view group,
                   std::string_view consumer);
// Logs and applies XPEL: hands these pending entries to `consumer` (which must exist).
using PendingUpdates = std::vector<std::pair<state::StreamId, state::PendingEntry>>;
void ApplyPendingUpdates(CommandContext& ctx, std::string_view key, std::string_view group,
                         std::string_view consumer, const PendingUpdates& updates);
// Logs and applies XACK of `ids` (the PEL entries of deleted stream entries go this way too).
void ApplyAcks(CommandContext& ctx, std::string_view key, std::string_view group,
               const std::vector<state::StreamId>& ids);

// XINFO's consumer-group parts (stream_info_commands.cc): XINFO GROUPS, XINFO CONSUMERS, and
// the `entries` and `groups` fields that end XINFO STREAM FULL (count 0: everything).
void ReplyXinfoGroups(CommandContext& ctx, const state::StreamValue& st);
void ReplyXinfoConsumers(CommandContext& ctx, const state::StreamValue& st, std::string_view key,
                         std::string_view group);
void ReplyXinfoFullTail(CommandContext& ctx, const state::StreamValue& st, int64_t count);

}  // namespace strongbox::engine
