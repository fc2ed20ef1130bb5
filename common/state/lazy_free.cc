// The lazy-free worker's queue and thread (see lazy_free.h).
#include "common/state/lazy_free.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace strongbox::state {

LazyFree::LazyFree() {
  // The thread starts with every signal blocked: a process-directed SIGTERM must reach the
  // thread that waits for it (the engine's signalfd), not kill the process from this one.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::thread([this] { Run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

LazyFree::~LazyFree() { Stop(); }

void LazyFree::Dispose(EntryPtr entry) {
  Job job;
  job.entry = std::move(entry);
  job.objects = 1;
  Push(std::move(job));
}

void LazyFree::Dispose(std::unique_ptr<DroppedKeys> keys) {
  Job job;
  job.objects = keys->table.size();
  job.keys = std::move(keys);
  Push(std::move(job));
}

void LazyFree::Push(Job job) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    // After Stop() there is no thread: free here (shutdown only, so a stall does not matter).
    lock.unlock();
    job = Job();
    return;
  }
  pending_objects_.fetch_add(job.objects, std::memory_order_relaxed);
  queue_.push_back(std::move(job));
  lock.unlock();
  wake_.notify_one();
}

void LazyFree::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LazyFree::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is freed
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    size_t objects = job.objects;
    job = Job();  // the destruction this thread exists for, outside the lock
    pending_objects_.fetch_sub(objects, std::memory_order_relaxed);
    freed_objects_.fetch_add(objects, std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace strongbox::state
