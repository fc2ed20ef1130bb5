// CLIENT LIST texts (see introspection.h).
#include "engine/server/introspection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace strongbox::engine {
namespace {

// Redis's flag letters for what Strongbox has: P pubsub, x MULTI, b blocked, e no-evict.
std::string ClientFlags(const Conn& c) {
  std::string flags;
  if (c.session.subscriptions > 0) flags += 'P';
  if (c.session.in_multi) flags += 'x';
  if (c.blocked) flags += 'b';
  if (c.session.no_evict) flags += 'e';
  return flags.empty() ? "N" : flags;
}

void AppendClientLine(std::string* out, const Conn& c, const PubSubRegistry& pubsub,
                      int64_t now_ms) {
  const ClientSession& s = c.session;
  int64_t multi = s.in_multi ? static_cast<int64_t>(s.multi_queue.size()) : -1;
  absl::StrAppend(out, "id=", c.id, " addr=", s.address, " laddr=", s.local_address, " fd=", c.fd,
                  " name=", s.name, " age=", (now_ms - s.created_ms) / 1000,
                  " idle=", (now_ms - s.last_command_ms) / 1000, " flags=", ClientFlags(c),
                  " db=", s.db, " sub=", pubsub.CountOf(PubSubKind::kChannel, c.id));
  absl::StrAppend(out, " psub=", pubsub.CountOf(PubSubKind::kPattern, c.id),
                  " ssub=", pubsub.CountOf(PubSubKind::kShard, c.id), " multi=", multi,
                  " qbuf=", c.in_len, " qbuf-free=", c.in.size() - c.in_len,
                  " argv-mem=0 multi-mem=0", " rbs=", c.in.size(), " rbp=", c.in_len,
                  " obl=0 oll=0 omem=", c.unsent_bytes());
  absl::StrAppend(out, " tot-mem=", c.in.size() + c.unsent_bytes(),
                  " events=", c.unsent_bytes() > 0 ? "rw" : "r", " cmd=", s.last_command,
                  " user=", s.user, " redir=-1 resp=", s.protocol_version, "\n");
}

}  // namespace

std::string ClientListText(const ConnMap& conns, const PubSubRegistry& pubsub,
                           const ClientFilter& filter, int64_t now_ms) {
  std::vector<const Conn*> listed;
  for (const auto& [id, c] : conns) {
    if (!c->closing && Matches(filter, c->session)) listed.push_back(c.get());
  }
  // Redis lists its clients in the order they connected.
  std::sort(listed.begin(), listed.end(),
            [](const Conn* a, const Conn* b) { return a->id < b->id; });
  std::string out;
  for (const Conn* c : listed) AppendClientLine(&out, *c, pubsub, now_ms);
  return out;
}

}  // namespace strongbox::engine
