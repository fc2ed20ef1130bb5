// Used memory as the allocator counts it (Redis's used_memory), cheap enough to read before
// every write: the figure is re-read from the allocator at most once per refresh interval and
// served from a cache in between. The release build links jemalloc and reads its
// stats.allocated (after an epoch refresh, which is what costs); sanitizer builds keep their
// own allocator and ask it; other builds ask glibc (mallinfo2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace strongbox::engine {

// Bytes the allocator has handed out and not taken back, read now (not cached: microseconds
// under jemalloc, more under glibc).
size_t ReadAllocatedBytes();
// INFO's mem_allocator: "jemalloc-5.3.0", "libc", or the sanitizer's.
std::string AllocatorName();

class UsedMemoryGauge {
 public:
  explicit UsedMemoryGauge(int64_t refresh_interval_us = 1000)
      : refresh_interval_us_(refresh_interval_us) {}

  // The cached figure, re-read first if it is older than the refresh interval; what was freed
  // since the re-read (Discount) is taken off, so an eviction loop sees its own progress.
  size_t Read(int64_t now_us);
  // Re-reads at once (INFO).
  size_t ReadFresh(int64_t now_us);
  // Bytes just released that the cached figure still counts (an eviction's estimate).
  void Discount(size_t bytes) { discount_bytes_ += bytes; }

 private:
  int64_t refresh_interval_us_;
  bool read_ = false;
  int64_t read_at_us_ = 0;
  size_t allocated_bytes_ = 0;
  size_t discount_bytes_ = 0;
};

}  // namespace strongbox::engine
