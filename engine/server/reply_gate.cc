// Reply holding and release (see reply_gate.h).
#include "engine/server/reply_gate.h"

#include <algorithm>

#include "common/util/check.h"

namespace strongbox::engine {

void ReplyGate::Tag(Conn& c, uint64_t lsn_tag, ReleaseBounds now, ReplyWait wait) {
  bool must_wait = mode_ == FsyncMode::kAlways && lsn_tag > now.For(wait);
  // Earlier replies still held: later ones queue behind them, whatever their LSN.
  if (must_wait || !c.holds.empty()) {
    Hold(c, lsn_tag, wait);
  } else {
    c.out_sendable = c.out.size();
    c.lsn_released = std::max(c.lsn_released, lsn_tag);
  }
  QueueSend(c);
}

void ReplyGate::Hold(Conn& c, uint64_t lsn_tag, ReplyWait wait) {
  bool for_replicas = wait == ReplyWait::kReplicas;
  // Bytes join the last hold when they would leave with it anyway: same LSN, and not a reply
  // that waits for replicas joining one that waits for local durability only.
  if (!c.holds.empty() && c.holds.back().lsn == lsn_tag &&
      (c.holds.back().waits_for_replicas || !for_replicas)) {
    c.holds.back().end = c.out.size();
  } else {
    c.holds.push_back(Conn::Held{lsn_tag, c.out.size(), for_replicas});
  }
  if (!c.in_held_list) {
    c.in_held_list = true;
    held_.push_back(c.id);
  }
}

void ReplyGate::Release(ReleaseBounds now) {
  std::vector<uint64_t> still;
  for (uint64_t id : held_) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    while (!c.holds.empty()) {
      const Conn::Held& front = c.holds.front();
      ReplyWait wait =
          front.waits_for_replicas ? ReplyWait::kReplicas : ReplyWait::kLocalDurability;
      if (front.lsn > now.For(wait) && mode_ != FsyncMode::kInterval) break;
      c.out_sendable = front.end;
      c.lsn_released = std::max(c.lsn_released, front.lsn);
      c.holds.pop_front();
    }
    QueueSend(c);
    if (c.holds.empty()) {
      c.in_held_list = false;
    } else {
      still.push_back(id);
    }
  }
  held_.swap(still);
}

void ReplyGate::Rebase(uint64_t lsn) {
  for (auto& [id, conn] : conns_) {
    conn->lsn_released = std::min(conn->lsn_released, lsn);
    for (auto& hold : conn->holds) hold.lsn = std::min(hold.lsn, lsn);
  }
}

void ReplyGate::QueueSend(Conn& c) {
  if (c.out_sendable == 0 || c.queued_for_send) return;
  c.queued_for_send = true;
  send_queue_.push_back(c.id);
}

std::vector<uint64_t> ReplyGate::TakeSendQueue() {
  std::vector<uint64_t> queue;
  queue.swap(send_queue_);
  return queue;
}

void ReplyGate::TakeSendable(Conn& c, uint64_t lsn_durable) {
  SB_CHECK(mode_ != FsyncMode::kAlways || c.lsn_released <= lsn_durable,
           "a reply would leave before its LSN %llu is durable (durable: %llu)",
           static_cast<unsigned long long>(c.lsn_released),
           static_cast<unsigned long long>(lsn_durable));
  c.sending.assign(c.out.data(), c.out_sendable);
  c.out.erase(0, c.out_sendable);
  for (auto& h : c.holds) h.end -= c.out_sendable;
  c.out_sendable = 0;
  c.sending_off = 0;
}

}  // namespace strongbox::engine
