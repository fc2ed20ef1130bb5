// Snapshot files: the whole state after every record <= LSN, as ONE zstd frame with a content
// checksum (so `zstdcat` reads it). Inside the frame (little-endian):
//   header  "SBXSNP01" | u32 version | 16-byte data-set id | u64 LSN | u64 timestamp ms
//           | u64 entry count
//   entries u32 length | entry (canonical encoding, below), entry count times
//   libs    (version 2) "SBXLIB01" | u32 count | (u32 len | name | u32 len | code)* by name
//   trailer "SBXEND01" | u64 entry count | u64 state digest
// Entry: u8 db | u8 type (0 string, 1 hash, 2 list, 3 set, 4 zset) | i64 expire_at_ms (0 = none) |
// u32 key length | key | value where
//   string = u32 length | bytes, list = u32 items | (u32 len | item)* head first,
//   set = u32 members | (u32 len | member)* in byte order,
//   zset = u32 members | (u64 IEEE-754 score bits | u32 len | member)* by (score, member),
//   hash = u32 fields | (u32 len | field | u32 len | value)*
//   with fields in byte order (canonical: the same state always encodes the same way).
// State digest: wrapping sum of XXH3_64 of every encoded entry — independent of iteration
// order, so the engine, the snapshotter and a replay can compare states cheaply.
// Written as <name>.tmp → fsync → rename → fsync directory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/format/dataset_id.h"
#include "common/io/file_system.h"
#include "common/state/state.h"

namespace strongbox::state {

// 2 added the function library section, 3 streams' consumer groups; versions 1 and 2 are still
// read (their streams hold no groups).
inline constexpr uint32_t kSnapshotFormatVersion = 3;
inline constexpr uint32_t kSnapshotFormatVersionMin = 1;

struct SnapshotInfo {
  std::string path;
  uint64_t lsn = 0;
  int64_t timestamp_ms = 0;
  uint64_t entry_count = 0;
  uint64_t digest = 0;
  uint64_t file_bytes = 0;
  uint64_t raw_bytes = 0;  // uncompressed
};

struct SnapshotOptions {
  int compression_level = 3;
  int compression_workers = 0;  // zstd worker threads (0 = compress on the calling thread)
};

void EncodeEntry(int db, std::string_view key, const Entry& entry, std::string* out);
absl::Status DecodeEntryInto(State& state, std::string_view encoded);
uint64_t StateDigest(const State& state);

absl::StatusOr<SnapshotInfo> WriteSnapshot(io::FileSystem& fs, const std::string& dir,
                                           const format::DatasetId& dataset, uint64_t lsn,
                                           int64_t timestamp_ms, const State& state,
                                           const SnapshotOptions& options);

struct LoadOptions {
  // Threads decoding entries while the calling thread inserts them in file order
  // (parallel_load.h); 1 decodes and inserts on the calling thread alone. Same state either way.
  int decode_threads = 1;
};
// min(hardware threads, 4): what engine recovery and the snapshotter use unless told.
int DefaultLoadThreads();

// Verifies frame checksum, header, counts and digest while loading into *state (if given).
// NotFound if the file vanished; DataLoss for any damage.
absl::StatusOr<SnapshotInfo> LoadSnapshot(io::FileSystem& fs, const std::string& path,
                                          const std::optional<format::DatasetId>& dataset,
                                          State* state, const LoadOptions& options = {});

}  // namespace strongbox::state
