// O_DIRECT log batches (see direct_log_writer.h).
#include "engine/server/direct_log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "common/io/file_system.h"

namespace strongbox::engine {
namespace {

constexpr uint64_t kBlockMask = DirectLogWriter::kBlockBytes - 1;
constexpr size_t kFirstCapacityBytes = 64 << 10;

size_t RoundUpToBlock(size_t bytes) { return (bytes + kBlockMask) & ~kBlockMask; }

}  // namespace

DirectLogWriter::~DirectLogWriter() {
  if (fd_ >= 0) ::close(fd_);
  std::free(buf_);
}

absl::Status DirectLogWriter::OpenSegment(const std::string& path) {
  // The previous segment is sealed (renamed) by now: its descriptor only kept the inode alive.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  path_.clear();
  end_offset_ = 0;
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EINVAL) {
    return absl::InvalidArgumentError(absl::StrCat("open ", path, " with O_DIRECT: refused"));
  }
  if (fd < 0) return io::ErrnoStatus(errno, "open with O_DIRECT", path);
  // Blocks bigger than ours (rare devices) would make every write fail: refuse, as tmpfs does.
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
      (stx.stx_mask & STATX_DIOALIGN) != 0 &&
      (stx.stx_dio_offset_align > kBlockBytes || stx.stx_dio_mem_align > kBlockBytes)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat("open ", path, " with O_DIRECT: needs ",
                                                   stx.stx_dio_offset_align, "-byte blocks"));
  }
  fd_ = fd;
  path_ = path;
  ++segment_generation_;
  return absl::OkStatus();
}

void DirectLogWriter::Reserve(size_t bytes, size_t keep_bytes) {
  if (bytes <= capacity_) return;
  size_t capacity = std::max({bytes, capacity_ * 2, kFirstCapacityBytes});
  void* grown = nullptr;
  if (::posix_memalign(&grown, kBlockBytes, capacity) != 0) throw std::bad_alloc();
  if (keep_bytes > 0) std::memcpy(grown, buf_, keep_bytes);
  std::free(buf_);
  buf_ = static_cast<char*>(grown);
  capacity_ = capacity;
}

absl::Status DirectLogWriter::LoadTail(uint64_t offset) {
  uint64_t start = offset & ~kBlockMask;
  size_t tail_bytes = offset - start;
  if (tail_bytes == 0) return absl::OkStatus();
  Reserve(kBlockBytes, 0);
  // The bytes before `offset` are durable (the segment header, or a batch written through
  // another descriptor): read them back once per segment.
  ssize_t got;
  do {
    got = ::pread(fd_, buf_, kBlockBytes, static_cast<off_t>(start));
  } while (got < 0 && errno == EINTR);
  if (got < 0) return io::ErrnoStatus(errno, "read (O_DIRECT)", path_);
  if (static_cast<size_t>(got) < tail_bytes) {
    return absl::DataLossError(absl::StrCat(path_, ": ", got, " bytes at offset ", start,
                                            ", fewer than the ", tail_bytes, " written before"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DirectLogWriter::Write> DirectLogWriter::Prepare(const std::string& path,
                                                                uint64_t offset,
                                                                std::string_view data) {
  if (path != path_) {
    if (absl::Status s = OpenSegment(path); !s.ok()) return s;
  }
  uint64_t start = offset & ~kBlockMask;
  size_t tail_bytes = offset - start;
  if (offset != end_offset_) {
    if (absl::Status s = LoadTail(offset); !s.ok()) return s;
  } else if (start != buf_offset_) {
    // The previous batch's partial last block moves to the front; full blocks are done.
    std::memmove(buf_, buf_ + (start - buf_offset_), tail_bytes);
  }
  size_t bytes = RoundUpToBlock(tail_bytes + data.size());
  Reserve(bytes, tail_bytes);
  std::memcpy(buf_ + tail_bytes, data.data(), data.size());
  std::memset(buf_ + tail_bytes + data.size(), 0, bytes - tail_bytes - data.size());
  buf_offset_ = start;
  end_offset_ = offset + data.size();
  return Write{fd_, buf_, bytes, start};
}

}  // namespace strongbox::engine
