// The io_uring instance of the engine's one thread: set up with the cheapest flags the kernel
// accepts, submission entries tagged with what they are for, and the completion drain.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace strongbox::engine {

// What a completion is for. The user data holds the type in its low 8 bits and an id above
// them: a connection id, or for a log write the byte count it must have written.
enum class OpType : uint8_t {
  kAccept = 1,
  kRecv,
  kSend,
  kLogWrite,
  kLogSync,
  kLogWriteDsync,  // a write with RWF_DSYNC: the write and its sync in one operation
  kTimer,
  kSignal,
  kReplication,  // the replication eventfd: the link to the primary delivered something
};

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring();

  // Explains a blocked io_uring (seccomp, sysctl) instead of returning a bare errno.
  absl::Status Init(unsigned entries);
  // A submission entry tagged (type, id); submits pending entries first if the queue is full.
  io_uring_sqe* Sqe(OpType type, uint64_t id);
  void Submit();

  // The log's fixed slots: file 0 (the active segment) and buffer 0 (the O_DIRECT batch
  // buffer). A write through them skips the per-request file lookup and page pinning. Set
  // only while no log write is in flight. False when the kernel refuses registration.
  bool SetLogFile(int fd);
  bool SetLogBuffer(void* data, size_t bytes);

  // Submits, waits for at least one completion (unless `wait` is false: work is queued on the
  // loop already), then calls on_cqe(type, id, res, flags) for each one ready and marks them
  // seen.
  template <typename Fn>
  void WaitAndDrain(bool wait, Fn&& on_cqe) {
    if (wait) {
      io_uring_submit_and_wait(&ring_, 1);
    } else {
      io_uring_submit_and_get_events(&ring_);
    }
    // Each completion is marked seen before its handler runs, so a handler may drain the ring
    // again (the nested poll of a busy script, busy_script.cc) without seeing it twice.
    for (unsigned ready = io_uring_cq_ready(&ring_); ready > 0; --ready) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_peek_cqe(&ring_, &cqe) != 0 || cqe == nullptr) break;
      uint64_t data = io_uring_cqe_get_data64(cqe);
      int res = cqe->res;
      uint32_t flags = cqe->flags;
      io_uring_cqe_seen(&ring_, cqe);
      on_cqe(static_cast<OpType>(data & 0xff), data >> 8, res, flags);
    }
  }

 private:
  io_uring ring_{};
  bool ready_ = false;
  bool files_registered_ = false;
  bool buffers_registered_ = false;
};

}  // namespace strongbox::engine
