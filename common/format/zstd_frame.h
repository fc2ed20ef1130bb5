// The one place that talks to libzstd. Every compressed file we write is ONE zstd frame with
// a content checksum, so `zstdcat` reads it and zstd itself catches rot in the content.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace strongbox::format {

// Whole frames in memory (archived segments).
absl::StatusOr<std::string> ZstdCompress(std::string_view data, int level);
// DataLoss for a damaged or truncated frame, or bytes after it.
absl::StatusOr<std::string> ZstdDecompress(std::string_view frame);

// Streams bytes into one frame written to `file` from offset 0 (snapshots: the state never
// has to exist twice in memory).
class ZstdFrameWriter {
 public:
  // `workers` > 0 compresses on that many zstd threads.
  ZstdFrameWriter(io::File& file, int level, int workers);
  ~ZstdFrameWriter();
  ZstdFrameWriter(const ZstdFrameWriter&) = delete;
  ZstdFrameWriter& operator=(const ZstdFrameWriter&) = delete;

  // `end` closes the frame (checksum included); nothing may be written after it.
  absl::Status Write(std::string_view data, bool end = false);
  uint64_t file_bytes() const { return offset_; }
  uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  io::File& file_;
  ZSTD_CCtx_s* cctx_;
  std::string out_;
  uint64_t offset_ = 0;
  uint64_t raw_bytes_ = 0;
  // Write-back in windows (io::File::StartWriteback): the previous window's is waited for and
  // the current one's started, so a snapshot's bytes trickle to the disk as they are made.
  static constexpr uint64_t kWritebackWindowBytes = 8ull << 20;
  uint64_t writeback_window_ = 0;   // the window being written back: [this,
  uint64_t writeback_started_ = 0;  // this); after it, bytes not yet handed to write-back
};

// Reads one frame that fills `file` exactly, a chunk of the file at a time.
class ZstdFrameReader {
 public:
  // `error_prefix` starts the message of every DataLoss it returns (it names the file).
  ZstdFrameReader(io::File& file, uint64_t file_bytes, std::string error_prefix);
  ~ZstdFrameReader();
  ZstdFrameReader(const ZstdFrameReader&) = delete;
  ZstdFrameReader& operator=(const ZstdFrameReader&) = delete;

  // Decompresses the next chunk of the file, appending what it yields to *out. DataLoss for
  // a damaged or truncated frame or bytes after it; I/O errors as the file returns them.
  absl::Status ReadMore(std::string* out);
  // The frame has ended and its checksum matched: there is nothing more to read.
  bool frame_done() const { return frame_done_; }
  uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  io::File& file_;
  uint64_t file_bytes_;
  std::string error_prefix_;
  ZSTD_DCtx_s* dctx_;
  std::string chunk_;
  uint64_t file_pos_ = 0;
  uint64_t raw_bytes_ = 0;
  bool frame_done_ = false;
};

}  // namespace strongbox::format
