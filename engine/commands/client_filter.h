// Which connections CLIENT LIST and CLIENT KILL name: Redis 7.0's filters (ID, TYPE, ADDR,
// LADDR, USER, SKIPME). The command parses them (client_commands.cc); the server walks its
// connections with Matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/command.h"

namespace strongbox::engine {

struct ClientFilter {
  std::vector<uint64_t> ids;        // empty = any
  std::optional<std::string> type;  // normal, master, replica (slave), pubsub
  std::optional<std::string> addr;
  std::optional<std::string> laddr;
  std::optional<std::string> user;  // the ACL user (engine/acl/)
  bool skip_me = false;  // CLIENT KILL's SKIPME (yes unless said otherwise in the new form)
  uint64_t me = 0;
};

// Redis's client type of a session: "pubsub" while subscribed, else "normal" (no replicas).
const char* ClientTypeName(const ClientSession& session);
bool Matches(const ClientFilter& filter, const ClientSession& session);

}  // namespace strongbox::engine
