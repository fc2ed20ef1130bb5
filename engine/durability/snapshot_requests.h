// The engine's side of BGSAVE / SAVE / LASTSAVE / BGREWRITEAOF: it writes snapshot requests into
// the persistence directory (common/format/snapshot_request.h), asks rotation to seal the log
// through the requested LSN (the snapshotter replays sealed segments only), and learns from
// directory listings when the snapshotter has served a request (the request file is gone and a
// snapshot covering its LSN exists). Lives on the loop thread; a listing is a few syscalls on a
// small directory, done at most every kScanIntervalMs while something is outstanding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/io/file_system.h"
#include "engine/durability/durable_log.h"

namespace strongbox::engine {

// What INFO persistence reports about snapshots (the lead wires it into info_sections.*).
struct BackgroundSaveStatus {
  bool bgsave_in_progress = false;       // a request is waiting for the snapshotter
  int64_t last_save_time_s = 0;          // Unix time of the newest snapshot (start time if none)
  uint64_t changes_since_last_save = 0;  // LSNs assigned after the newest snapshot's LSN
  bool last_bgsave_ok = true;            // false after a SAVE timed out or a request failed
  bool aof_rewrite_in_progress = false;  // a BGREWRITEAOF request is outstanding
};

class SnapshotRequests {
 public:
  static constexpr int64_t kScanIntervalMs = 100;
  // The pseudo key SAVE waiters park on (db 0): Tick() says when to re-run them.
  static constexpr std::string_view kSaveWaitKey{"\0strongbox:save-waiters", 23};

  SnapshotRequests(io::FileSystem& fs, std::string dir, const DurableLog& log,
                   int64_t save_timeout_ms, int64_t started_ms);

  // After recovery: a request left behind by a crash for an LSN that did not become durable is
  // re-aimed at the recovered LSN, so the snapshotter can serve it.
  void Start(uint64_t lsn_recovered, int64_t now_ms);
  // Asks for a snapshot of everything assigned so far (BGREWRITEAOF: `rewrite`): writes a
  // request unless an outstanding one covers it. Returns the LSN the snapshot will cover.
  absl::StatusOr<uint64_t> Request(int64_t now_ms, bool rewrite);

  bool in_progress() const { return !outstanding_.empty(); }
  bool covered(uint64_t lsn) const { return snapshot_lsn_ >= lsn; }
  // The log must be sealed through this LSN for the snapshotter to reach the requests.
  uint64_t rotate_through() const { return rotate_through_; }
  int64_t save_timeout_ms() const { return save_timeout_ms_; }
  void NoteFailure() { last_ok_ = false; }

  // Timer: rescans while requests are outstanding; true when SAVE waiters should re-check.
  bool Tick(int64_t now_ms);
  // LASTSAVE: rescans first unless a scan is fresh.
  int64_t LastSaveUnixSeconds(int64_t now_ms);
  BackgroundSaveStatus Status() const;

 private:
  void Scan(int64_t now_ms);

  io::FileSystem& fs_;
  std::string dir_;
  const DurableLog& log_;
  int64_t save_timeout_ms_;
  int64_t started_ms_;
  std::vector<uint64_t> outstanding_;  // LSNs of request files seen or written, not yet served
  uint64_t rewrite_lsn_ = 0;           // BGREWRITEAOF's request, 0 when none is outstanding
  uint64_t rotate_through_ = 0;
  uint64_t snapshot_lsn_ = 0;
  int64_t snapshot_mtime_ms_ = 0;
  int64_t scanned_ms_ = 0;
  bool last_ok_ = true;
};

}  // namespace strongbox::engine
