// CLIENT LIST / KILL filters (see client_filter.h).
#include "engine/commands/client_filter.h"

#include <algorithm>

namespace strongbox::engine {

const char* ClientTypeName(const ClientSession& session) {
  return session.subscriptions > 0 ? "pubsub" : "normal";
}

bool Matches(const ClientFilter& filter, const ClientSession& session) {
  if (!filter.ids.empty() &&
      std::find(filter.ids.begin(), filter.ids.end(), session.id) == filter.ids.end()) {
    return false;
  }
  if (filter.type && *filter.type != ClientTypeName(session)) return false;
  if (filter.addr && *filter.addr != session.address) return false;
  if (filter.laddr && *filter.laddr != session.local_address) return false;
  if (filter.user && *filter.user != session.user) return false;
  return !(filter.skip_me && session.id == filter.me);
}

}  // namespace strongbox::engine
