// Reply holding and release: every reply, reads included, is tagged with the last LSN assigned
// when its command ran (a read may have seen effects not yet durable) and, with --fsync always,
// leaves only once that LSN is durable — and, with --min-replicas-ack, acknowledged by the
// replicas unless its reply reveals no data a record wrote (ReplyWait::kLocalDurability). A
// connection's bytes leave in order whatever their kind. This is also the one place that
// queues a connection for sending.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/server/config.h"
#include "engine/server/connection.h"

namespace strongbox::engine {

// What a reply waits for beyond the replies before it on its connection.
enum class ReplyWait {
  kLocalDurability,  // its LSN durable here (a reply that reveals no data a record wrote)
  kReplicas,         // its LSN durable here and acknowledged as --min-replicas-ack asks
};

// How far replies may be released now: lsn_acked <= lsn_durable (equal without
// --min-replicas-ack).
struct ReleaseBounds {
  uint64_t lsn_durable = 0;
  uint64_t lsn_acked = 0;
  uint64_t For(ReplyWait wait) const {
    return wait == ReplyWait::kReplicas ? lsn_acked : lsn_durable;
  }
};

class ReplyGate {
 public:
  ReplyGate(FsyncMode mode, ConnMap& conns) : mode_(mode), conns_(conns) {}

  // The replies written to c.out so far depend on `lsn_tag`: they become sendable now if
  // nothing needs to wait for them, otherwise they are held. Queues c for sending if it has
  // anything sendable.
  void Tag(Conn& c, uint64_t lsn_tag, ReleaseBounds now, ReplyWait wait);
  // Makes every held reply whose LSN is within its bound sendable, in each connection's order
  // (all of them in interval mode).
  void Release(ReleaseBounds now);
  // The log restarted at `lsn` (a replica's full resync replaced it): tags of the old log
  // above it are clamped, so replies made sendable under the old log count as released under
  // the new one, and replies held for the old log leave once the new one is durable to `lsn`.
  void Rebase(uint64_t lsn);
  // Queues c for SubmitSends if it has sendable bytes and is not queued yet.
  void QueueSend(Conn& c);
  std::vector<uint64_t> TakeSendQueue();
  // Moves c's sendable prefix into c.sending for the kernel. Asserts the durability invariant:
  // in always mode no byte leaves before its LSN is durable.
  void TakeSendable(Conn& c, uint64_t lsn_durable);

  size_t held_connections() const { return held_.size(); }

 private:
  void Hold(Conn& c, uint64_t lsn_tag, ReplyWait wait);

  FsyncMode mode_;
  ConnMap& conns_;
  std::vector<uint64_t> send_queue_;  // conns with replies to send
  std::vector<uint64_t> held_;        // conns with replies waiting for durability
};

}  // namespace strongbox::engine
