// Pub/Sub delivery: a message is written to each receiver's output and leaves through the
// reply gate like a reply; a subscriber that does not read is disconnected at the pubsub
// client-output-buffer-limit, so it never grows memory without bound.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/server/log_line.h"
#include "engine/server/server.h"

namespace strongbox::engine {

size_t Server::Publish(PubSubKind kind, std::string_view channel, std::string_view message) {
  std::vector<PubSubRegistry::Receiver> receivers = pubsub_.ReceiversOf(kind, channel);
  for (const PubSubRegistry::Receiver& r : receivers) {
    auto it = conns_.find(r.client);
    if (it == conns_.end()) continue;  // closed connections leave the registry in StartClose
    Conn& sub = *it->second;
    RespWriter w(&sub.out, sub.session.protocol_version);
    w.PushHeader(r.pattern ? 4 : 3);
    w.Bulk(r.pattern ? "pmessage" : kind == PubSubKind::kShard ? "smessage" : "message");
    if (r.pattern) w.Bulk(*r.pattern);
    w.Bulk(channel);
    w.Bulk(message);
    delivered_to_.push_back(sub.id);
  }
  return receivers.size();
}

// Called once the publishing command (or its whole EXEC) has its record: a message is not a
// write, so it is tagged like a read reply, with the last LSN assigned. That keeps it behind
// every earlier reply of the subscriber (the gate releases a connection's bytes in order), and
// it cannot reveal a write of the publisher's transaction (MULTI ... SET ... PUBLISH ... EXEC)
// before that write is durable: tagging here, after EndRecord, covers the EXEC's own record.
// A top-level PUBLISH (kNoReplicaAck: its message is the client's argument, not data), or an
// EXEC of kNoReplicaAck commands only, passes kLocalDurability, so Sentinel's hellos flow while
// replicas lag; a message sent from another EXEC or a script may follow or carry data a record
// wrote, and waits for the replicas like a read.
void Server::ReleaseDeliveries(uint64_t publisher_id, ReplyWait wait) {
  if (delivered_to_.empty()) return;
  std::vector<uint64_t> ids;
  ids.swap(delivered_to_);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  int64_t now_ms = NowMs();
  for (uint64_t id : ids) {
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second->closing) continue;
    TagReply(*it->second, wait);
    EnforcePubSubOutputLimit(*it->second, publisher_id, now_ms);
  }
}

void Server::EnforcePubSubOutputLimit(Conn& sub, uint64_t publisher_id, int64_t now_ms) {
  const OutputBufferLimit& limit = config_.output_limits.pubsub();
  size_t unsent = sub.unsent_bytes();
  bool over_hard = limit.hard_bytes > 0 && unsent > static_cast<size_t>(limit.hard_bytes);
  bool over_soft = limit.soft_bytes > 0 && unsent > static_cast<size_t>(limit.soft_bytes);
  if (!over_soft) sub.pubsub_soft_limit_since_ms = 0;
  if (over_soft && sub.pubsub_soft_limit_since_ms == 0) sub.pubsub_soft_limit_since_ms = now_ms;
  bool soft_expired =
      over_soft && now_ms - sub.pubsub_soft_limit_since_ms >= limit.soft_seconds * 1000;
  if (!over_hard && !soft_expired) return;
  LogLine(absl::StrCat("client id=", sub.id, " addr=", sub.session.address,
                       " closed for overcoming of output buffer limits (pubsub, ", unsent,
                       " bytes unsent)"));
  StartClose(sub);
  // Its recv/send completions free it; the publisher's own connection is freed by the caller's
  // completion path, never under its feet.
  if (sub.id != publisher_id) MaybeFree(sub.id);
}

}  // namespace strongbox::engine
