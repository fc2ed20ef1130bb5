// Prepares the next log segment ahead of time (etcd's file pipeline): a file under a temporary
// name, allocated, zero-filled to the segment size and fdatasynced. Rotation then only writes a
// header into blocks that are already written and renames the file, so the event loop never
// waits for an allocation, and every later fdatasync of records has data only to commit: the
// first write into fallocate'd (unwritten) extents makes each fdatasync commit an extent change
// through the file system's journal — slower, and measured to lose acknowledged bytes when the
// journal aborts (DESIGN.md, Segments).
//
// It is also how a full volume is noticed before it strands anything: a preparation that fails
// for lack of space turns the engine read-only while the active segment still has room for the
// records already accepted, so those complete, their replies and every read go on, and new
// writes get an immediate error. Preparation is retried every retry_ms until space is back.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::engine {

class SegmentPipeline {
 public:
  struct Options {
    std::string dir;
    uint64_t file_bytes = 72ull << 20;  // the prepared size
    int64_t retry_ms = 1000;            // after a failure for lack of space or a read-only volume
    // A thread prepares files (the engine), or Tick() does, inline (tests over FaultFileSystem,
    // whose crash simulation needs one thread).
    bool background = false;
    // Evict the prepared file's zero pages from the page cache: an O_DIRECT write over cached
    // pages must invalidate them, which io_uring cannot do without blocking (an io-wq hop).
    bool drop_page_cache = false;
  };

  // Removes the prepared files an earlier run left behind; in background mode also prepares
  // the first file before returning (start-up needs a segment at once) and starts the thread.
  SegmentPipeline(io::FileSystem& fs, Options options);
  ~SegmentPipeline();  // stops the thread; a prepared file not taken is removed
  SegmentPipeline(const SegmentPipeline&) = delete;
  SegmentPipeline& operator=(const SegmentPipeline&) = delete;

  // Inline mode: prepares a file now if none is ready and no failure is younger than retry_ms.
  // Background mode: nothing (the thread does it).
  void Tick(int64_t now_ms);
  // The prepared file (open, under its temporary name) if one is ready, else nullptr; taking it
  // starts the next preparation. With `wait`, a preparation in progress is waited for. An error
  // other than a full or read-only volume is returned here: the engine must stop.
  absl::StatusOr<std::unique_ptr<io::File>> Take(bool wait = false);
  // Why the last preparation failed for lack of space or a read-only volume; empty once one
  // succeeds. Safe to call from the loop at any time.
  std::string failure() const;

  static bool IsPreparedFileName(std::string_view name);

 private:
  struct Prepared {
    std::unique_ptr<io::File> file;
    absl::Status error;  // set when preparation failed
  };
  Prepared PrepareOne();
  void Store(Prepared p, int64_t now_ms);
  void ThreadMain();
  void RemoveLeftovers();

  io::FileSystem& fs_;
  const Options options_;
  uint64_t sequence_ = 0;  // names prepared files uniquely: a taken one is renamed later

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unique_ptr<io::File> ready_;
  std::string failure_;      // full or read-only volume
  absl::Status hard_error_;  // anything else, reported by the next Take()
  int64_t next_try_ms_ = 0;  // inline mode's retry time
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace strongbox::engine
