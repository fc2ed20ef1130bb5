// Loads snapshot entries with several threads: the reading thread cuts the decompressed content
// into chunks of whole entries, worker threads decode each chunk into key nodes (allocation,
// value building, the entry's XXH3 for the digest), and the reading thread links the nodes into
// the key tables in file order. The result, and the first error met in file order, are those
// of a one-thread load. At most a few chunks are in flight, so memory stays bounded.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/state/snapshot_decode.h"
#include "common/state/state.h"

namespace strongbox::state {

class ParallelEntryLoader {
 public:
  // `workers` decoding threads (>= 1) start at once.
  ParallelEntryLoader(State& state, uint64_t entry_count, int workers);
  ~ParallelEntryLoader();  // stops the workers; chunks not inserted are dropped
  ParallelEntryLoader(const ParallelEntryLoader&) = delete;
  ParallelEntryLoader& operator=(const ParallelEntryLoader&) = delete;

  // Hands over `chunk`: framed entries (u32 length | entry)*, whole and with lengths the
  // caller checked. While the window is full, inserts the oldest chunks first: their first
  // error (DataLoss, the entry's own message) is returned and nothing more may be submitted.
  absl::Status Submit(std::string chunk);
  // Inserts every chunk submitted and fits the tables: the first error in file order, else OK
  // with *digest the wrapping sum of every entry's XXH3 (snapshot.h's state digest).
  absl::Status Finish(uint64_t* digest);

 private:
  struct Chunk {
    std::string bytes;
    std::vector<DecodedEntry> entries;
    absl::Status status;  // the first entry that failed is the last of `entries`
    uint64_t digest = 0;
    bool decoded = false;
  };
  void Work();
  static void Decode(Chunk& chunk);
  absl::Status InsertOldest();

  State& state_;
  TableSizer sizer_;
  uint64_t digest_ = 0;
  size_t window_;                             // chunks in flight at most
  std::deque<std::unique_ptr<Chunk>> order_;  // submitted, not inserted, in file order
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Chunk*> todo_;  // waiting for a worker
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace strongbox::state
