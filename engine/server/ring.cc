// io_uring setup and submission entries (see ring.h).
#include "engine/server/ring.h"

#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/util/check.h"

namespace strongbox::engine {

Ring::~Ring() {
  if (ready_) io_uring_queue_exit(&ring_);
}

absl::Status Ring::Init(unsigned entries) {
  // One thread submits and reaps: let the kernel run completion work only when we enter the
  // ring (fewer interrupts and context switches per request). Older kernels reject the flags.
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int rc = io_uring_queue_init_params(entries, &ring_, &params);
  if (rc == -EINVAL) {
    params = io_uring_params{};
    params.flags = IORING_SETUP_COOP_TASKRUN;
    rc = io_uring_queue_init_params(entries, &ring_, &params);
  }
  if (rc == -EINVAL) rc = io_uring_queue_init(entries, &ring_, 0);
  if (rc == -ENOSYS || rc == -EPERM) {
    return absl::FailedPreconditionError(absl::StrCat(
        "io_uring is blocked (io_uring_setup: ", strerror(-rc),
        "). In a container the default seccomp profile forbids io_uring_setup, "
        "io_uring_enter and io_uring_register: run with the profile shipped in "
        "docker/seccomp-iouring.json (security_opt: seccomp=...). On a host, check the sysctl "
        "kernel.io_uring_disabled (must be 0, or 1 with this user in kernel.io_uring_group)."));
  }
  if (rc < 0) return absl::InternalError(absl::StrCat("io_uring_queue_init: ", strerror(-rc)));
  ready_ = true;
  return absl::OkStatus();
}

io_uring_sqe* Ring::Sqe(OpType type, uint64_t id) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  SB_CHECK(sqe != nullptr, "io_uring submission queue exhausted");
  io_uring_sqe_set_data64(sqe, (id << 8) | static_cast<uint8_t>(type));
  return sqe;
}

void Ring::Submit() { io_uring_submit(&ring_); }

bool Ring::SetLogFile(int fd) {
  if (!files_registered_) {
    if (io_uring_register_files_sparse(&ring_, 1) < 0) return false;
    files_registered_ = true;
  }
  return io_uring_register_files_update(&ring_, 0, &fd, 1) == 1;
}

bool Ring::SetLogBuffer(void* data, size_t bytes) {
  if (!buffers_registered_) {
    if (io_uring_register_buffers_sparse(&ring_, 1) < 0) return false;
    buffers_registered_ = true;
  }
  iovec iov{data, bytes};
  return io_uring_register_buffers_update_tag(&ring_, 0, &iov, nullptr, 1) == 1;
}

}  // namespace strongbox::engine
