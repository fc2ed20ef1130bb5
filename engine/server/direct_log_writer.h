// Log batches written with O_DIRECT (--log-io direct): the active segment opened a second time
// with O_DIRECT, and each batch copied into a 4 KiB-aligned buffer as whole blocks. Segments
// are zero-filled to their size before they become active, so these writes overwrite written
// blocks: no allocation, no extent conversion, and on ext4 io_uring can issue them from the
// submitting thread instead of punting them to an io-wq worker (a buffered write and an
// fdatasync always take that hop).
//
// A batch rarely ends on a block boundary: its last, partial block is kept in the buffer and
// written again, completed, by the next batch. The bytes after a batch's end up to the block
// boundary are written as zeros, which they already are in a prepared segment, so readers see
// the same file as with buffered writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strongbox::engine {

class DirectLogWriter {
 public:
  static constexpr size_t kBlockBytes = 4096;

  // One write to submit: `bytes` from `data` at `offset` of `fd` (all block-aligned).
  struct Write {
    int fd = -1;
    const char* data = nullptr;
    size_t bytes = 0;
    uint64_t offset = 0;
  };

  DirectLogWriter() = default;
  DirectLogWriter(const DirectLogWriter&) = delete;
  DirectLogWriter& operator=(const DirectLogWriter&) = delete;
  ~DirectLogWriter();

  // The aligned write for a batch of `data` at `offset` of the segment at `path`. Opens the
  // segment with O_DIRECT when it is not the one open (InvalidArgument when the file system
  // refuses O_DIRECT, e.g. tmpfs). The buffer stays untouched until the next call, so the write
  // may be in flight until then; a batch must follow the previous one's end or start a segment.
  absl::StatusOr<Write> Prepare(const std::string& path, uint64_t offset, std::string_view data);

  // Changes whenever another segment is opened (descriptor numbers are reused).
  uint64_t segment_generation() const { return segment_generation_; }
  int fd() const { return fd_; }
  // The whole aligned buffer (a write's data lies inside it); moves when it grows.
  char* buffer() const { return buf_; }
  size_t capacity() const { return capacity_; }

 private:
  absl::Status OpenSegment(const std::string& path);
  // Puts the bytes of the block holding `offset` that come before it at the buffer's start.
  absl::Status LoadTail(uint64_t offset);
  // Grows the buffer to `bytes` at least, keeping its first `keep_bytes`.
  void Reserve(size_t bytes, size_t keep_bytes);

  int fd_ = -1;
  std::string path_;
  char* buf_ = nullptr;  // kBlockBytes-aligned
  size_t capacity_ = 0;
  uint64_t buf_offset_ = 0;  // the file offset of buf_[0] in the last write
  uint64_t end_offset_ = 0;  // where the last batch ended (0: nothing written yet)
  uint64_t segment_generation_ = 0;
};

}  // namespace strongbox::engine
