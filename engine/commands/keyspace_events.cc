// Keyspace notifications (see keyspace_events.h).
#include "engine/commands/keyspace_events.h"

#include <cctype>

#include "common/state/state.h"
#include "engine/commands/command.h"

namespace strongbox::engine {

std::optional<uint32_t> ParseKeyspaceEventFlags(std::string_view text) {
  uint32_t flags = 0;
  for (char c : text) {
    switch (c) {
      case 'A':
        flags |= kNotifyAll;
        break;
      case 'g':
        flags |= kNotifyGeneric;
        break;
      case '$':
        flags |= kNotifyString;
        break;
      case 'l':
        flags |= kNotifyList;
        break;
      case 's':
        flags |= kNotifySet;
        break;
      case 'h':
        flags |= kNotifyHash;
        break;
      case 'z':
        flags |= kNotifyZset;
        break;
      case 'x':
        flags |= kNotifyExpired;
        break;
      case 'e':
        flags |= kNotifyEvicted;
        break;
      case 'K':
        flags |= kNotifyKeyspace;
        break;
      case 'E':
        flags |= kNotifyKeyevent;
        break;
      case 't':
        flags |= kNotifyStream;
        break;
      case 'm':
        flags |= kNotifyKeyMiss;
        break;
      case 'd':
        flags |= kNotifyModule;
        break;
      case 'n':
        flags |= kNotifyNew;
        break;
      default:
        return std::nullopt;
    }
  }
  return flags;
}

std::string FormatKeyspaceEventFlags(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    // Redis 7.0 prints 'n' only in the branch below, so "An" reads back as "A": kept, since
    // clients compare CONFIG GET with what Redis answers.
    out += 'A';
  } else {
    static constexpr std::pair<uint32_t, char> kLetters[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},    {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},   {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'}, {kNotifyNew, 'n'}};
    for (auto [bit, letter] : kLetters) {
      if (flags & bit) out += letter;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

namespace {

std::string Channel(std::string_view prefix, int db, std::string_view name) {
  std::string out(prefix);
  out += std::to_string(db);
  out += "__:";
  out += name;
  return out;
}

}  // namespace

void KeyspaceEvents::Emit(ServerHooks& server, uint32_t type_class, std::string_view event, int db,
                          std::string_view key) const {
  if (!Enabled(type_class)) return;
  if (flags_ & kNotifyKeyspace) {
    server.Publish(PubSubKind::kChannel, Channel("__keyspace@", db, key), event);
  }
  if (flags_ & kNotifyKeyevent) {
    server.Publish(PubSubKind::kChannel, Channel("__keyevent@", db, event), key);
  }
}

void NotifyKeyspaceEventIn(ServerHooks& server, uint32_t type_class, std::string_view event, int db,
                           std::string_view key) {
  const KeyspaceEvents* events = server.keyspace_events();
  if (events != nullptr && events->Enabled(type_class)) {
    events->Emit(server, type_class, event, db, key);
  }
}

void NotifyKeyspaceEvent(CommandContext& ctx, uint32_t type_class, std::string_view event,
                         std::string_view key) {
  NotifyKeyspaceEventIn(ctx.server, type_class, event, ctx.client.db, key);
}

void NotifyStoreResult(CommandContext& ctx, uint32_t type_class, std::string_view key, bool stored,
                       bool deleted) {
  const KeyspaceEvents* events = ctx.server.keyspace_events();
  if (events == nullptr || !events->Enabled(type_class | kNotifyGeneric)) return;
  if (stored) {
    std::string event(ctx.argv[0]);
    for (char& c : event) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    events->Emit(ctx.server, type_class, event, ctx.client.db, key);
  } else if (deleted) {
    events->Emit(ctx.server, kNotifyGeneric, "del", ctx.client.db, key);
  }
}

std::optional<std::string> NewKeyCandidate(CommandContext& ctx,
                                           std::span<const std::string_view> effect) {
  const KeyspaceEvents* events = ctx.server.keyspace_events();
  if (events == nullptr || !events->Enabled(kNotifyNew) || events->new_key_quiet()) return {};
  if (effect.size() < 2 || effect[0] == "DEL" || effect[0] == "COPY") return {};
  // RENAME creates its destination even over an existing key (Redis deletes, then adds).
  if (effect[0] == "RENAME") {
    if (effect.size() < 3 || effect[1] == effect[2]) return {};
    return std::string(effect[2]);
  }
  if (ctx.state.db(ctx.client.db).FindRaw(effect[1]) != nullptr) return {};
  return std::string(effect[1]);
}

void NotifyIfCreated(CommandContext& ctx, const std::optional<std::string>& key) {
  if (!key || ctx.state.db(ctx.client.db).FindRaw(*key) == nullptr) return;
  NotifyKeyspaceEvent(ctx, kNotifyNew, "new", *key);
}

NoNewKeyEvent::NoNewKeyEvent(CommandContext& ctx, bool active) {
  if (!active) return;
  events_ = ctx.server.keyspace_events();
  if (events_ != nullptr) events_->set_new_key_quiet(true);
}

NoNewKeyEvent::~NoNewKeyEvent() {
  if (events_ != nullptr) events_->set_new_key_quiet(false);
}

void NotifyElementsRemoved(CommandContext& ctx, uint32_t type_class, std::string_view event,
                           std::string_view key) {
  const KeyspaceEvents* events = ctx.server.keyspace_events();
  if (events == nullptr || !events->Enabled(type_class | kNotifyGeneric)) return;
  events->Emit(ctx.server, type_class, event, ctx.client.db, key);
  if (ctx.state.db(ctx.client.db).FindRaw(key) == nullptr) {
    events->Emit(ctx.server, kNotifyGeneric, "del", ctx.client.db, key);
  }
}

}  // namespace strongbox::engine
