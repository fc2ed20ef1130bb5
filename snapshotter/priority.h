// The snapshotter runs at the lowest CPU and I/O priority by default so that writing a snapshot
// never slows the engine: SCHED_IDLE (runs only when a CPU would otherwise idle) and the IDLE
// I/O class (disk time only when no one else wants it).
#pragma once

#include <functional>
#include <string>

namespace strongbox::snapshotter {

enum class CpuPriority { kIdle, kNormal };     // SCHED_IDLE | SCHED_OTHER (with --nice)
enum class IoPriority { kIdle, kBestEffort };  // IOPRIO_CLASS_IDLE | the kernel's default

// Applies both to every thread of the process (threads started later inherit them). A missing
// permission (seccomp, container policy) is logged, never fatal.
void ApplyPriorities(CpuPriority cpu, IoPriority io, int nice,
                     const std::function<void(const std::string&)>& log);

}  // namespace strongbox::snapshotter
