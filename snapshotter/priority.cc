// Sets the snapshotter's CPU and I/O priorities (see priority.h).
#include "snapshotter/priority.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strongbox::snapshotter {
namespace {

// linux/ioprio.h is not in every libc's headers: the values are the kernel ABI.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassIdle = 3;
constexpr int kIoprioClassShift = 13;

// Every thread of this process: scheduling policy and I/O priority are per thread.
std::vector<pid_t> ThreadIds() {
  std::vector<pid_t> tids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    int tid = 0;
    if (absl::SimpleAtoi(entry.path().filename().string(), &tid)) tids.push_back(tid);
  }
  if (tids.empty()) tids.push_back(0);  // no /proc: the calling thread
  return tids;
}

std::string SetCpuIdle(const std::vector<pid_t>& tids) {
  sched_param param{};
  param.sched_priority = 0;
  for (pid_t tid : tids) {
    if (sched_setscheduler(tid, SCHED_IDLE, &param) != 0) {
      return absl::StrCat("cpu priority idle refused (", strerror(errno),
                          "); staying at normal with nice");
    }
  }
  return "cpu priority idle (SCHED_IDLE)";
}

std::string SetIoIdle(const std::vector<pid_t>& tids) {
  int value = kIoprioClassIdle << kIoprioClassShift;
  for (pid_t tid : tids) {
    if (syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, value) != 0) {
      return absl::StrCat("io priority idle refused (", strerror(errno),
                          "); staying at best-effort");
    }
  }
  return "io priority idle (IOPRIO_CLASS_IDLE)";
}

}  // namespace

void ApplyPriorities(CpuPriority cpu, IoPriority io, int nice,
                     const std::function<void(const std::string&)>& log) {
  // Nice still matters when SCHED_IDLE is refused or turned off, and it sets the best-effort
  // I/O level the kernel derives for a process without an explicit I/O class.
  if (nice != 0 && setpriority(PRIO_PROCESS, 0, nice) != 0) {
    log(absl::StrCat("nice ", nice, " refused: ", strerror(errno)));
  }
  std::vector<pid_t> tids = ThreadIds();
  log(cpu == CpuPriority::kIdle ? SetCpuIdle(tids)
                                : absl::StrCat("cpu priority normal (nice ", nice, ")"));
  log(io == IoPriority::kIdle ? SetIoIdle(tids) : "io priority best-effort (kernel default)");
}

}  // namespace strongbox::snapshotter
