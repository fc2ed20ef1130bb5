// Snapshot requests from the engine's side (see snapshot_requests.h).
#include "engine/durability/snapshot_requests.h"

#include <algorithm>

#include "common/format/directory_scan.h"
#include "common/format/snapshot_request.h"

namespace strongbox::engine {

SnapshotRequests::SnapshotRequests(io::FileSystem& fs, std::string dir, const DurableLog& log,
                                   int64_t save_timeout_ms, int64_t started_ms)
    : fs_(fs),
      dir_(std::move(dir)),
      log_(log),
      save_timeout_ms_(save_timeout_ms),
      started_ms_(started_ms) {}

void SnapshotRequests::Start(uint64_t lsn_recovered, int64_t now_ms) {
  auto requests = format::ListSnapshotRequests(fs_, dir_);
  if (requests.ok()) {
    for (const auto& r : *requests) {
      if (r.lsn <= lsn_recovered) continue;
      // Assigned but never durable: the snapshotter would wait for it forever.
      if (format::WriteSnapshotRequest(fs_, dir_, lsn_recovered, now_ms).ok())
        (void)fs_.Unlink(dir_ + "/" + r.name);
    }
  }
  Scan(now_ms);
}

absl::StatusOr<uint64_t> SnapshotRequests::Request(int64_t now_ms, bool rewrite) {
  uint64_t lsn = log_.lsn_assigned();
  bool pending =
      std::any_of(outstanding_.begin(), outstanding_.end(), [lsn](uint64_t o) { return o >= lsn; });
  if (!pending) {
    if (auto s = format::WriteSnapshotRequest(fs_, dir_, lsn, now_ms); !s.ok()) {
      last_ok_ = false;
      return s;
    }
    outstanding_.push_back(lsn);
  }
  if (rewrite) rewrite_lsn_ = std::max(rewrite_lsn_, lsn);
  rotate_through_ = std::max(rotate_through_, lsn);
  return lsn;
}

bool SnapshotRequests::Tick(int64_t now_ms) {
  if (outstanding_.empty() || now_ms - scanned_ms_ < kScanIntervalMs) return false;
  Scan(now_ms);
  return true;
}

int64_t SnapshotRequests::LastSaveUnixSeconds(int64_t now_ms) {
  if (now_ms - scanned_ms_ >= kScanIntervalMs) Scan(now_ms);
  return (snapshot_mtime_ms_ != 0 ? snapshot_mtime_ms_ : started_ms_) / 1000;
}

void SnapshotRequests::Scan(int64_t now_ms) {
  scanned_ms_ = now_ms;
  uint64_t wanted =
      outstanding_.empty() ? 0 : *std::max_element(outstanding_.begin(), outstanding_.end());
  auto listing = format::ScanDirectory(fs_, dir_);
  if (listing.ok() && !listing->snapshots.empty()) {
    const auto& newest = listing->snapshots.back();
    if (newest.lsn_last != snapshot_lsn_ || snapshot_mtime_ms_ == 0) {
      auto mtime = fs_.ModifiedTimeMs(dir_ + "/" + newest.name);
      if (mtime.ok()) snapshot_mtime_ms_ = *mtime;
      snapshot_lsn_ = newest.lsn_last;
    }
  }
  auto requests = format::ListSnapshotRequests(fs_, dir_);
  if (!requests.ok()) return;  // keep what we knew; the next tick retries
  outstanding_.clear();
  for (const auto& r : *requests) outstanding_.push_back(r.lsn);
  if (outstanding_.empty()) {
    // Served: a snapshot covers what was asked, or the snapshotter gave up on it.
    if (wanted != 0) last_ok_ = snapshot_lsn_ >= wanted;
    rewrite_lsn_ = 0;
  } else if (rewrite_lsn_ > outstanding_.back()) {
    rewrite_lsn_ = 0;
  }
}

BackgroundSaveStatus SnapshotRequests::Status() const {
  uint64_t lsn_assigned = log_.lsn_assigned();
  BackgroundSaveStatus s;
  s.bgsave_in_progress = !outstanding_.empty();
  s.last_save_time_s = (snapshot_mtime_ms_ != 0 ? snapshot_mtime_ms_ : started_ms_) / 1000;
  s.changes_since_last_save = lsn_assigned > snapshot_lsn_ ? lsn_assigned - snapshot_lsn_ : 0;
  s.last_bgsave_ok = last_ok_;
  s.aof_rewrite_in_progress = rewrite_lsn_ != 0;
  return s;
}

}  // namespace strongbox::engine
