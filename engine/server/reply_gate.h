// Reply holding and release: every reply, reads included, is tagged with the last LSN assigned
// when its command ran (a read may have seen effects not yet durable) and, with --fsync always,
// leaves only once that LSN is durable. This is also the one place that queues a connection
// for sending.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/server/config.h"
#include "engine/server/connection.h"

namespace strongbox::engine {

class ReplyGate {
 public:
  ReplyGate(FsyncMode mode, ConnMap& conns) : mode_(mode), conns_(conns) {}

  // The replies written to c.out so far depend on `lsn_assigned`: they become sendable now if
  // nothing needs to wait for them, otherwise they are held. Queues c for sending if it has
  // anything sendable.
  void Tag(Conn& c, uint64_t lsn_assigned, uint64_t lsn_durable);
  // Makes every held reply whose LSN is durable sendable (all of them in interval mode).
  void Release(uint64_t lsn_durable);
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
  void Hold(Conn& c, uint64_t lsn_tag);

  FsyncMode mode_;
  ConnMap& conns_;
  std::vector<uint64_t> send_queue_;  // conns with replies to send
  std::vector<uint64_t> held_;        // conns with replies waiting for durability
};

}  // namespace strongbox::engine
