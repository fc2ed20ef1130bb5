// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH PUBSUB. Messages are delivered by the server (ServerHooks::Publish) and are
// never logged: like Redis, Pub/Sub is fire-and-forget.
#include <optional>

#include "engine/commands/command_registry.h"
#include "engine/commands/command_util.h"

namespace strongbox::engine {
namespace {

// What a (un)subscribe confirmation counts: Redis reports channels + patterns for the classic
// commands and shard channels alone for the S-commands.
int64_t ConfirmationCount(const PubSubRegistry& registry, PubSubKind kind, uint64_t client) {
  if (kind == PubSubKind::kShard) return registry.CountOf(PubSubKind::kShard, client);
  return registry.CountOf(PubSubKind::kChannel, client) +
         registry.CountOf(PubSubKind::kPattern, client);
}

void UpdateSession(CommandContext& ctx) {
  const PubSubRegistry& registry = ctx.server.pubsub();
  ctx.client.subscriptions = registry.CountOf(PubSubKind::kChannel, ctx.client.id) +
                             registry.CountOf(PubSubKind::kPattern, ctx.client.id) +
                             registry.CountOf(PubSubKind::kShard, ctx.client.id);
}

// One confirmation per name: [verb, name (or null), count], a push in RESP3.
void Confirm(CommandContext& ctx, PubSubKind kind, std::string_view verb,
             std::optional<std::string_view> name) {
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(verb);
  name ? ctx.reply.Bulk(*name) : ctx.reply.Null();
  ctx.reply.Integer(ConfirmationCount(ctx.server.pubsub(), kind, ctx.client.id));
}

void SubscribeTo(CommandContext& ctx, PubSubKind kind, std::string_view verb) {
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    ctx.server.pubsub().Subscribe(kind, ctx.client.id, ctx.argv[i]);
    UpdateSession(ctx);
    Confirm(ctx, kind, verb, ctx.argv[i]);
  }
}

// Without names: every subscription of that kind; with none, one confirmation with a null name.
void UnsubscribeFrom(CommandContext& ctx, PubSubKind kind, std::string_view verb) {
  std::vector<std::string> names(ctx.argv.begin() + 1, ctx.argv.end());
  if (ctx.argv.size() == 1) names = ctx.server.pubsub().SubscriptionsOf(kind, ctx.client.id);
  if (names.empty()) return Confirm(ctx, kind, verb, std::nullopt);
  for (const std::string& name : names) {
    ctx.server.pubsub().Unsubscribe(kind, ctx.client.id, name);
    UpdateSession(ctx);
    Confirm(ctx, kind, verb, name);
  }
}

void Subscribe(CommandContext& ctx) { SubscribeTo(ctx, PubSubKind::kChannel, "subscribe"); }
void Psubscribe(CommandContext& ctx) { SubscribeTo(ctx, PubSubKind::kPattern, "psubscribe"); }
void Ssubscribe(CommandContext& ctx) { SubscribeTo(ctx, PubSubKind::kShard, "ssubscribe"); }
void Unsubscribe(CommandContext& ctx) { UnsubscribeFrom(ctx, PubSubKind::kChannel, "unsubscribe"); }
void Punsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSubKind::kPattern, "punsubscribe");
}
void Sunsubscribe(CommandContext& ctx) { UnsubscribeFrom(ctx, PubSubKind::kShard, "sunsubscribe"); }

void Publish(CommandContext& ctx) {
  size_t receivers = ctx.server.Publish(PubSubKind::kChannel, ctx.argv[1], ctx.argv[2]);
  ctx.reply.Integer(static_cast<int64_t>(receivers));
}

void Spublish(CommandContext& ctx) {
  size_t receivers = ctx.server.Publish(PubSubKind::kShard, ctx.argv[1], ctx.argv[2]);
  ctx.reply.Integer(static_cast<int64_t>(receivers));
}

void PubsubHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

void PubsubNames(CommandContext& ctx, PubSubKind kind) {
  if (ctx.argv.size() > 3) {
    return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                           std::string(ctx.argv[1].substr(0, 128)) + "'. Try PUBSUB HELP.");
  }
  std::optional<std::string_view> pattern;
  if (ctx.argv.size() == 3) pattern = ctx.argv[2];
  std::vector<std::string> names = ctx.server.pubsub().Names(kind, pattern);
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (const std::string& name : names) ctx.reply.Bulk(name);
}

void PubsubNumsub(CommandContext& ctx, PubSubKind kind) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argv.size() - 2) * 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Bulk(ctx.argv[i]);
    ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub().SubscriberCount(kind, ctx.argv[i])));
  }
}

void Pubsub(CommandContext& ctx) {
  std::string sub = ToLower(ctx.argv[1]);
  auto exact_arity = [&](std::string_view name) {
    if (ctx.argv.size() == 2) return true;
    ctx.reply.Error("ERR wrong number of arguments for 'pubsub|" + std::string(name) + "' command");
    return false;
  };
  if (sub == "channels") return PubsubNames(ctx, PubSubKind::kChannel);
  if (sub == "shardchannels") return PubsubNames(ctx, PubSubKind::kShard);
  if (sub == "numsub") return PubsubNumsub(ctx, PubSubKind::kChannel);
  if (sub == "shardnumsub") return PubsubNumsub(ctx, PubSubKind::kShard);
  if (sub == "numpat") {
    if (!exact_arity("numpat")) return;
    return ctx.reply.Integer(
        static_cast<int64_t>(ctx.server.pubsub().NameCount(PubSubKind::kPattern)));
  }
  if (sub == "help") {
    if (exact_arity("help")) PubsubHelp(ctx);
    return;
  }
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.argv[1].substr(0, 128)) +
                  "'. Try PUBSUB HELP.");
}

}  // namespace

void RegisterPubSubCommands(CommandRegistry& r) {
  // name, arity, flags, first key, last key, key step, handler
  // kNoReplicaAck (command.h): channel names and counts; a top-level PUBLISH's message is its
  // argument (Sentinel's hellos on __sentinel__:hello), so its deliveries wait the same way.
  r.Add({"subscribe", -2, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Subscribe});
  r.Add({"unsubscribe", -1, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Unsubscribe});
  r.Add({"psubscribe", -2, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Psubscribe});
  r.Add({"punsubscribe", -1, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Punsubscribe});
  r.Add({"ssubscribe", -2, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Ssubscribe});
  r.Add({"sunsubscribe", -1, kPubSubContext | kNoScript | kNoReplicaAck, 0, 0, 0, Sunsubscribe});
  r.Add({"publish", 3, kFast | kNoReplicaAck, 0, 0, 0, Publish});
  r.Add({"spublish", 3, kFast | kNoReplicaAck, 0, 0, 0, Spublish});
  r.Add({"pubsub", -2, kNoReplicaAck, 0, 0, 0, Pubsub});
}

}  // namespace strongbox::engine
