// Recovery: snapshot + segment replay, torn-tail repair, damage detection.
#include "engine/durability/recovery.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/segment_header.h"
#include "common/format/segment_reader.h"
#include "common/state/segment_replay.h"
#include "common/state/snapshot_loader.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/torn_files.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kVerifyHint =
    " — the engine will not start over damaged data; run `strongbox-snapshotter verify` for a "
    "full report, then restore (docs/operations.md)";

absl::Status Damage(const std::string& what) {
  return absl::DataLossError(absl::StrCat(what, std::string(kVerifyHint)));
}

// ReplaySegment reports a gap as FailedPrecondition and damage as DataLoss: for the engine
// both are damaged data it must not start over. Anything else (I/O, NotFound) passes as is.
absl::Status ReplayError(const absl::Status& s) {
  if (absl::IsDataLoss(s) || absl::IsFailedPrecondition(s)) return Damage(std::string(s.message()));
  return s;
}

// Loads the newest snapshot that verifies into *state; returns its LSN (0: start from empty).
absl::StatusOr<uint64_t> LoadSnapshot(io::FileSystem& fs, const std::string& dir,
                                      const format::DirectoryListing& listing,
                                      const format::DatasetId& dataset, state::State* state,
                                      int load_threads, RecoveryResult* result, const LogFn& log) {
  std::vector<std::string> paths;
  for (auto it = listing.snapshots.rbegin(); it != listing.snapshots.rend(); ++it) {
    paths.push_back(absl::StrCat(dir, "/", it->name));
  }
  state::LoadOptions options{.decode_threads =
                                 load_threads > 0 ? load_threads : state::DefaultLoadThreads()};
  auto loaded = state::LoadNewestSnapshot(
      fs, paths, dataset, state, [&](const std::string& m) { log("recovery: " + m); }, options);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return uint64_t{0};
  const state::SnapshotInfo& info = **loaded;
  result->lsn_snapshot = info.lsn;
  result->snapshot_path = info.path;
  log(absl::StrCat("recovery: loaded ", info.path, " (LSN ", info.lsn, ", ", info.entry_count,
                   " entries)"));
  return info.lsn;
}

// The active segment after replay: removed if its header never reached the disk, else cut a
// torn tail (kept in a .torn file) and seal it, so the engine starts a fresh segment.
absl::Status FinishActiveSegment(io::FileSystem& fs, const std::string& dir,
                                 const std::string& path, const format::SegmentScan& scan,
                                 int64_t now_ms, RecoveryResult* result, const LogFn& log) {
  if (scan.valid_bytes < format::kSegmentHeaderBytes) {
    // Crash while creating the segment: records are written only after the header is durable,
    // so it never held one (the reader checked it is zeros throughout). Nothing to keep; the
    // directory fsync makes the removal durable before a new segment may take the same name.
    log(absl::StrCat("recovery: ", path, " has no header (crash at creation); removed"));
    if (auto s = fs.Unlink(path); !s.ok()) return s;
    return fs.FsyncDir(dir);
  }
  if (scan.end == format::SegmentEnd::kTornTail) {
    result->torn_bytes = scan.file_bytes - scan.valid_bytes;
    result->torn_path = path + ".torn";
    auto kept = KeepTornBytes(fs, path, scan.valid_bytes, scan.file_bytes);
    if (!kept.ok()) return kept.status();
    log(absl::StrCat("recovery: ", scan.problem, "; dropped ", result->torn_bytes,
                     " bytes after the last complete record (", *kept,
                     " before the zero fill kept ", "in ", result->torn_path, ")"));
  }
  uint64_t first = scan.header.lsn_first;
  if (scan.end == format::SegmentEnd::kSealed) {
    // Crash after the seal record was synced but before the rename was durable: finish
    // the seal protocol.
    std::string sealed = absl::StrCat(dir, "/", format::SealedSegmentName(first, scan.lsn_last));
    if (auto s = fs.Rename(path, sealed); !s.ok()) return s;
    if (auto s = fs.FsyncDir(dir); !s.ok()) return s;
    log(absl::StrCat("recovery: finished sealing ", path));
    return absl::OkStatus();
  }
  auto file = fs.Open(path, io::FileSystem::OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  if (auto s = SealSegmentFile(fs, dir, **file, first, scan.lsn_last, scan.record_count,
                               scan.valid_bytes, now_ms);
      !s.ok()) {
    return s;
  }
  log(absl::StrCat("recovery: sealed ", path, " (", scan.record_count, " records)"));
  return absl::OkStatus();
}

absl::StatusOr<RecoveryResult> RecoverOnce(io::FileSystem& fs, const std::string& dir,
                                           const format::DatasetId& dataset, state::State* state,
                                           int64_t now_ms, const LogFn& log, int load_threads) {
  RecoveryResult result;
  auto listing = format::ScanDirectory(fs, dir);
  if (!listing.ok()) return listing.status();
  auto base = LoadSnapshot(fs, dir, *listing, dataset, state, load_threads, &result, log);
  if (!base.ok()) return base.status();
  state::ReplayPosition position{.lsn = *base};

  std::vector<format::ParsedName> segments = listing->sealed;
  segments.insert(segments.end(), listing->active.begin(), listing->active.end());
  std::sort(segments.begin(), segments.end(),
            [](const auto& a, const auto& b) { return a.lsn_first < b.lsn_first; });
  for (size_t i = 0; i < segments.size(); ++i) {
    const format::ParsedName& seg = segments[i];
    bool active = seg.kind == format::FileKind::kActive;
    std::string path = absl::StrCat(dir, "/", seg.name);
    if (active && i + 1 != segments.size()) {
      return Damage(absl::StrCat(path, ": an active segment that is not the newest one"));
    }
    if (!active && seg.lsn_last <= position.lsn) continue;  // covered by the snapshot
    auto scan = state::ReplaySegment(fs, path, dataset, /*stop_after_lsn=*/0, state, &position);
    if (!scan.ok()) return ReplayError(scan.status());
    if (!active && scan->end != format::SegmentEnd::kSealed) {
      return Damage(absl::StrCat(path, ": sealed segment without a valid seal record"));
    }
    ++result.segments_replayed;
    if (active) {
      if (auto s = FinishActiveSegment(fs, dir, path, *scan, now_ms, &result, log); !s.ok()) {
        return s;
      }
    }
  }
  // Only after a recovery that succeeded: a start refused over damage leaves every file as it
  // was for `strongbox-snapshotter verify` and whoever investigates. Housekeeping that fails
  // does not stop the start: the files are only forensics, and the next start tries again.
  if (auto s = PruneTornFiles(fs, dir, log); !s.ok()) {
    log(absl::StrCat("recovery: could not remove old .torn files (", s.message(), ")"));
  }
  result.records_replayed = position.records_applied;
  result.lsn_last = position.lsn;
  return result;
}

}  // namespace

absl::StatusOr<RecoveryResult> Recover(io::FileSystem& fs, const std::string& dir,
                                       const format::DatasetId& dataset, state::State* state,
                                       int64_t now_ms, const LogFn& log, int load_threads) {
  // A file can vanish between listing and opening when the snapshotter archives it: scan
  // again (it only archives what a newer snapshot covers).
  for (int attempt = 0;; ++attempt) {
    *state = state::State();
    auto result = RecoverOnce(fs, dir, dataset, state, now_ms, log, load_threads);
    if (result.ok() || !absl::IsNotFound(result.status()) || attempt >= 10) return result;
    log(absl::StrCat("recovery: ", result.status().message(), "; rescanning"));
  }
}

}  // namespace strongbox::engine
