// Pub/Sub's registry: who listens to which channel, pattern and shard channel, both ways
// (name -> subscribers for delivery, client -> names for UNSUBSCRIBE without arguments and
// for removal when the client goes). Pure bookkeeping: the server writes the messages.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace strongbox::engine {

enum class PubSubKind { kChannel = 0, kPattern = 1, kShard = 2 };

class PubSubRegistry {
 public:
  // Both return false when nothing changed (already subscribed / not subscribed).
  bool Subscribe(PubSubKind kind, uint64_t client, std::string_view name);
  bool Unsubscribe(PubSubKind kind, uint64_t client, std::string_view name);
  // The client's names of one kind, in the order it subscribed.
  std::vector<std::string> SubscriptionsOf(PubSubKind kind, uint64_t client) const;
  size_t CountOf(PubSubKind kind, uint64_t client) const;
  // Every subscription of the client (its connection closes).
  void RemoveClient(uint64_t client);

  // One delivery of a message: pattern is null for a direct channel subscription.
  struct Receiver {
    uint64_t client;
    const std::string* pattern;
  };
  // Who receives a message published on `channel`: for kChannel its subscribers (in the order
  // they subscribed) then every pattern subscription that matches; for kShard its subscribers.
  // A client subscribed to the channel and to two matching patterns receives it three times.
  std::vector<Receiver> ReceiversOf(PubSubKind kind, std::string_view channel) const;

  // PUBSUB introspection.
  size_t SubscriberCount(PubSubKind kind, std::string_view name) const;
  size_t NameCount(PubSubKind kind) const { return by_name_[Index(kind)].size(); }
  // Active names of kind kChannel or kShard matching `pattern` (all without one), unordered.
  std::vector<std::string> Names(PubSubKind kind, std::optional<std::string_view> pattern) const;

 private:
  static size_t Index(PubSubKind kind) { return static_cast<size_t>(kind); }

  // name -> subscribers in subscription order, per kind.
  std::array<absl::flat_hash_map<std::string, std::vector<uint64_t>>, 3> by_name_;
  // client -> names in subscription order, per kind.
  absl::flat_hash_map<uint64_t, std::array<std::vector<std::string>, 3>> by_client_;
};

}  // namespace strongbox::engine
