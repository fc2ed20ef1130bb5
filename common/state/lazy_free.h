// The lazy-free worker: one background thread that destroys what the keyspace hands it (big
// values dropped by DEL / UNLINK / expiry / overwrites, whole tables dropped by FLUSHDB /
// FLUSHALL), so that freeing a million-member set never stalls the engine's loop. What is handed
// over is owned by the worker alone: a node leaves the key table before it is queued, and nothing
// on the loop keeps a pointer into a value past the command that read it (replies are copied
// into the connection's buffer, WATCH and blocked clients keep their own key strings).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "common/state/state.h"

namespace strongbox::state {

class LazyFree final : public Disposer {
 public:
  LazyFree();
  ~LazyFree() override;  // Stop()
  LazyFree(const LazyFree&) = delete;
  LazyFree& operator=(const LazyFree&) = delete;

  void Dispose(EntryPtr entry) override;
  void Dispose(std::unique_ptr<DroppedKeys> keys) override;
  // Frees everything queued, then joins the thread; later hand-overs are freed inline.
  void Stop();

  // Objects queued and not freed yet (INFO memory's lazyfree_pending_objects): a value counts
  // one, a dropped table its key count, as in Redis.
  size_t pending_objects() const { return pending_objects_.load(std::memory_order_relaxed); }
  // Objects freed by the worker so far (INFO stats' lazyfreed_objects).
  uint64_t freed_objects() const { return freed_objects_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    EntryPtr entry;
    std::unique_ptr<DroppedKeys> keys;
    size_t objects = 0;
  };
  void Push(Job job);
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::atomic<size_t> pending_objects_{0};
  std::atomic<uint64_t> freed_objects_{0};
  std::thread thread_;
};

}  // namespace strongbox::state
