// Clients parked by WAIT / WAITAOF: each waits until its last write is durable locally (WAITAOF
// numlocal) and acknowledged by enough replicas, or its deadline. The loop never waits: the
// client stops reading its pipeline, like a blocking pop (blocked_clients.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace strongbox::engine::replication {

struct Waiter {
  uint64_t conn_id = 0;
  int64_t numlocal = -1;  // < 0: WAIT (no local part in the reply)
  int64_t numreplicas = 0;
  uint64_t lsn = 0;         // the client's last write
  int64_t deadline_ms = 0;  // 0 = none
};

struct WaitOutcome {
  int64_t local = 0;     // WAITAOF: 1 when durable locally
  int64_t replicas = 0;  // replicas that acknowledged the LSN
};

class WaitList {
 public:
  using Counter = std::function<WaitOutcome(const Waiter&)>;
  using Answer = std::function<void(const Waiter&, const WaitOutcome&)>;

  // True when `w` is satisfied by `outcome`.
  static bool Satisfied(const Waiter& w, const WaitOutcome& outcome);

  void Park(Waiter w) { waiters_.push_back(w); }
  // Answers (and removes) every waiter that is satisfied or past its deadline.
  void Serve(int64_t now_ms, const Counter& count, const Answer& answer);
  void Forget(uint64_t conn_id);
  size_t size() const { return waiters_.size(); }

 private:
  std::vector<Waiter> waiters_;
};

}  // namespace strongbox::engine::replication
