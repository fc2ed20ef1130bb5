// WaitList: the parked WAIT / WAITAOF clients.
#include "engine/replication/wait_list.h"

#include <algorithm>

namespace strongbox::engine::replication {

bool WaitList::Satisfied(const Waiter& w, const WaitOutcome& outcome) {
  bool local_ok = w.numlocal <= 0 || outcome.local >= w.numlocal;
  return local_ok && outcome.replicas >= w.numreplicas;
}

void WaitList::Serve(int64_t now_ms, const Counter& count, const Answer& answer) {
  std::vector<Waiter> due;
  std::erase_if(waiters_, [&](const Waiter& w) {
    WaitOutcome outcome = count(w);
    bool expired = w.deadline_ms != 0 && now_ms >= w.deadline_ms;
    if (!Satisfied(w, outcome) && !expired) return false;
    due.push_back(w);
    return true;
  });
  for (const Waiter& w : due) answer(w, count(w));
}

void WaitList::Forget(uint64_t conn_id) {
  std::erase_if(waiters_, [&](const Waiter& w) { return w.conn_id == conn_id; });
}

}  // namespace strongbox::engine::replication
