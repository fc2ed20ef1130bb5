// Keyspace notifications (Redis's notify.c): the notify-keyspace-events classes, their text as
// CONFIG SET reads it and CONFIG GET prints it, and the publishing of one event on
// __keyspace@<db>__:<key> and __keyevent@<db>__:<event>. Handlers call NotifyKeyspaceEvent
// where Redis calls notifyKeyspaceEvent; with nothing enabled that costs one flag check.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace strongbox::engine {

struct CommandContext;
class ServerHooks;

// The class bits, as Redis numbers them.
enum KeyspaceEventClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyLoaded = 1u << 12,   // module only, no letter
  kNotifyModule = 1u << 13,   // d
  kNotifyNew = 1u << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// CONFIG SET's reading of the value; nullopt for a character that is no class.
std::optional<uint32_t> ParseKeyspaceEventFlags(std::string_view text);
// CONFIG GET's canonical text (Redis's keyspaceEventsFlagsToString, quirks included).
std::string FormatKeyspaceEventFlags(uint32_t flags);
inline constexpr std::string_view kErrKeyspaceEventClass =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

class KeyspaceEvents {
 public:
  uint32_t flags() const { return flags_; }
  void set_flags(uint32_t flags) { flags_ = flags; }
  bool Enabled(uint32_t type_class) const { return (flags_ & type_class) != 0; }
  bool new_key_quiet() const { return new_key_quiet_; }
  void set_new_key_quiet(bool quiet) { new_key_quiet_ = quiet; }
  // Publishes the event through the server (Redis's order: keyspace channel, then keyevent).
  void Emit(ServerHooks& server, uint32_t type_class, std::string_view event, int db,
            std::string_view key) const;

 private:
  uint32_t flags_ = 0;
  bool new_key_quiet_ = false;
};

// The call sites' one line: the event for `key` in the client's current database.
void NotifyKeyspaceEvent(CommandContext& ctx, uint32_t type_class, std::string_view event,
                         std::string_view key);
// The event of a command that removed elements, then "del" if that emptied the key away, as
// Redis does after LPOP, HDEL, SREM, ZREM... (one check, made only when someone listens).
void NotifyElementsRemoved(CommandContext& ctx, uint32_t type_class, std::string_view event,
                           std::string_view key);
// SINTERSTORE, ZUNIONSTORE, ZRANGESTORE...: the command's own name as the event when the
// destination was written, "del" when an empty result deleted it, nothing otherwise.
void NotifyStoreResult(CommandContext& ctx, uint32_t type_class, std::string_view key, bool stored,
                       bool deleted);
// The 'n' class: Apply asks before an effect whether it may create a key someone listens for,
// and after it publishes "new" if it did (Redis's dbAdd). nullopt when nobody listens.
std::optional<std::string> NewKeyCandidate(CommandContext& ctx,
                                           std::span<const std::string_view> effect);
void NotifyIfCreated(CommandContext& ctx, const std::optional<std::string>& key);
// Redis overwrites a store's destination in place (no "new"); the engine logs DEL then the
// write. While one lives, Apply publishes no "new" event.
class NoNewKeyEvent {
 public:
  NoNewKeyEvent(CommandContext& ctx, bool active);
  ~NoNewKeyEvent();
  NoNewKeyEvent(const NoNewKeyEvent&) = delete;
  NoNewKeyEvent& operator=(const NoNewKeyEvent&) = delete;

 private:
  KeyspaceEvents* events_ = nullptr;
};
// The same for another database (MOVE, COPY ... DB) or a server-side write (expiry).
void NotifyKeyspaceEventIn(ServerHooks& server, uint32_t type_class, std::string_view event, int db,
                           std::string_view key);

}  // namespace strongbox::engine
