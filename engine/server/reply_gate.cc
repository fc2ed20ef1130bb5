// Reply holding and release (see reply_gate.h).
#include "engine/server/reply_gate.h"

#include <algorithm>

#include "common/util/check.h"

namespace strongbox::engine {

void ReplyGate::Tag(Conn& c, uint64_t lsn_assigned, uint64_t lsn_durable) {
  bool must_wait = mode_ == FsyncMode::kAlways && lsn_assigned > lsn_durable;
  // Earlier replies still held: later ones queue behind them, whatever their LSN.
  if (must_wait || !c.holds.empty()) {
    Hold(c, lsn_assigned);
  } else {
    c.out_sendable = c.out.size();
    c.lsn_released = std::max(c.lsn_released, lsn_assigned);
  }
  QueueSend(c);
}

void ReplyGate::Hold(Conn& c, uint64_t lsn_tag) {
  if (!c.holds.empty() && c.holds.back().first == lsn_tag) {
    c.holds.back().second = c.out.size();
  } else {
    c.holds.emplace_back(lsn_tag, c.out.size());
  }
  if (!c.in_held_list) {
    c.in_held_list = true;
    held_.push_back(c.id);
  }
}

void ReplyGate::Release(uint64_t lsn_durable) {
  std::vector<uint64_t> still;
  for (uint64_t id : held_) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    while (!c.holds.empty() &&
           (c.holds.front().first <= lsn_durable || mode_ == FsyncMode::kInterval)) {
      c.out_sendable = c.holds.front().second;
      c.lsn_released = std::max(c.lsn_released, c.holds.front().first);
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
    for (auto& hold : conn->holds) hold.first = std::min(hold.first, lsn);
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
  for (auto& h : c.holds) h.second -= c.out_sendable;
  c.out_sendable = 0;
  c.sending_off = 0;
}

}  // namespace strongbox::engine
