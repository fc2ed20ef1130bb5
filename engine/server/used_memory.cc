// The allocator's used-memory figure (see used_memory.h).
#include "engine/server/used_memory.h"

#include <malloc.h>

#include <algorithm>
#include <string_view>

#if defined(STRONGBOX_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
// The ASan runtime's (sanitizer/allocator_interface.h, not installed with every compiler).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace strongbox::engine {

#if defined(STRONGBOX_JEMALLOC)

size_t ReadAllocatedBytes() {
  // jemalloc's statistics are a snapshot taken at the last epoch: advance it, then read.
  uint64_t epoch = 1;
  size_t epoch_size = sizeof(epoch);
  mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
  size_t allocated = 0;
  size_t allocated_size = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &allocated_size, nullptr, 0) != 0) return 0;
  return allocated;
}

std::string AllocatorName() {
  const char* version = nullptr;
  size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) != 0 || version == nullptr) {
    return "jemalloc";
  }
  // "5.3.0-0-g54eaed1d..." -> "jemalloc-5.3.0", as Redis reports it.
  std::string_view v(version);
  return "jemalloc-" + std::string(v.substr(0, v.find('-')));
}

#elif defined(__SANITIZE_ADDRESS__)

size_t ReadAllocatedBytes() { return __sanitizer_get_current_allocated_bytes(); }
std::string AllocatorName() { return "libc"; }  // what Redis says for its own non-jemalloc builds

#else

size_t ReadAllocatedBytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
std::string AllocatorName() { return "libc"; }

#endif

size_t UsedMemoryGauge::Read(int64_t now_us) {
  if (!read_ || now_us - read_at_us_ >= refresh_interval_us_ || now_us < read_at_us_) {
    return ReadFresh(now_us);
  }
  return allocated_bytes_ - std::min(allocated_bytes_, discount_bytes_);
}

size_t UsedMemoryGauge::ReadFresh(int64_t now_us) {
  allocated_bytes_ = ReadAllocatedBytes();
  discount_bytes_ = 0;
  read_at_us_ = now_us;
  read_ = true;
  return allocated_bytes_;
}

}  // namespace strongbox::engine
