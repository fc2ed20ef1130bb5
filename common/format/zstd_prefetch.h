// Decompresses one zstd frame on a worker thread, a bounded number of chunks ahead of the
// reader, so that loading a snapshot overlaps decompression with decoding and inserting
// (restart time). Same reading interface as ZstdFrameReader.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/format/zstd_frame.h"
#include "common/io/file_system.h"

namespace strongbox::format {

class ZstdFramePrefetcher {
 public:
  // The worker starts at once and owns `file` until this object is destroyed.
  ZstdFramePrefetcher(io::File& file, uint64_t file_bytes, std::string error_prefix,
                      size_t chunks_ahead = 8);
  ~ZstdFramePrefetcher();  // stops the worker (the reader may stop early on damage)
  ZstdFramePrefetcher(const ZstdFramePrefetcher&) = delete;
  ZstdFramePrefetcher& operator=(const ZstdFramePrefetcher&) = delete;

  // Appends the next decompressed chunk to *out, waiting for the worker if needed; the
  // worker's error (DataLoss, I/O) once every chunk before it was handed out.
  absl::Status ReadMore(std::string* out);
  // Every chunk was handed out and the frame ended with a matching checksum.
  bool frame_done();
  uint64_t raw_bytes();  // decompressed bytes produced so far

 private:
  void Run();

  ZstdFrameReader reader_;  // used by the worker thread only
  size_t chunks_ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  absl::Status status_;
  bool finished_ = false;  // the worker ended: frame done or status_ set
  bool stop_ = false;
  uint64_t raw_bytes_ = 0;
  std::thread worker_;
};

}  // namespace strongbox::format
