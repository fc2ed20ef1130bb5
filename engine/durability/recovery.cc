// Recovery: snapshot + segment replay, torn-tail repair, damage detection.
#include "engine/durability/recovery.h"

#include "absl/strings/str_cat.h"
#include "common/format/record_codec.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "engine/durability/durable_log.h"

namespace strongbox::engine {
namespace {

constexpr std::string_view kVerifyHint =
    " — the engine will not start over damaged data; run `strongbox-snapshotter verify` for a "
    "full report, then restore (docs/operations.md)";

absl::Status Damage(const std::string& what) {
  return absl::DataLossError(absl::StrCat(what, std::string(kVerifyHint)));
}

// Loads the newest snapshot that verifies; falls back to older ones.
absl::StatusOr<uint64_t> LoadSnapshot(io::FileSystem& fs, const std::string& dir,
                                      const format::DirectoryListing& listing,
                                      const format::DatasetId& dataset, state::State* state,
                                      RecoveryResult* result, const LogFn& log) {
  for (auto it = listing.snapshots.rbegin(); it != listing.snapshots.rend(); ++it) {
    std::string path = absl::StrCat(dir, "/", it->name);
    *state = state::State();
    auto loaded = state::LoadSnapshot(fs, path, dataset, state);
    if (loaded.ok()) {
      result->snapshot_lsn = loaded->lsn;
      result->snapshot_path = path;
      log(absl::StrCat("recovery: loaded ", path, " (LSN ", loaded->lsn, ", ", loaded->entry_count,
                       " entries)"));
      return loaded->lsn;
    }
    if (absl::IsNotFound(loaded.status())) return loaded.status();  // archived meanwhile
    log(absl::StrCat("recovery: snapshot ", path, " is unusable (", loaded.status().ToString(),
                     "); falling back to an older one"));
  }
  *state = state::State();
  return uint64_t{0};
}

absl::Status KeepTornBytes(io::FileSystem& fs, const std::string& path, uint64_t from,
                           uint64_t to) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto bytes = (*file)->ReadAt(from, to - from);
  if (!bytes.ok()) return bytes.status();
  auto torn = fs.Open(path + ".torn", io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!torn.ok()) return torn.status();
  if (auto s = (*torn)->WriteAt(0, *bytes); !s.ok()) return s;
  return (*torn)->Fsync();
}

absl::StatusOr<RecoveryResult> RecoverOnce(io::FileSystem& fs, const std::string& dir,
                                           const format::DatasetId& dataset, state::State* state,
                                           int64_t now_ms, const LogFn& log) {
  RecoveryResult result;
  auto listing = format::ScanDirectory(fs, dir);
  if (!listing.ok()) return listing.status();
  auto base = LoadSnapshot(fs, dir, *listing, dataset, state, &result, log);
  if (!base.ok()) return base.status();
  uint64_t next = *base + 1;

  std::vector<format::ParsedName> segments = listing->sealed;
  segments.insert(segments.end(), listing->active.begin(), listing->active.end());
  std::sort(segments.begin(), segments.end(),
            [](const auto& a, const auto& b) { return a.first_lsn < b.first_lsn; });
  for (size_t i = 0; i < segments.size(); ++i) {
    const format::ParsedName& seg = segments[i];
    bool active = seg.kind == format::FileKind::kActive;
    std::string path = absl::StrCat(dir, "/", seg.name);
    if (active && i + 1 != segments.size()) {
      return Damage(absl::StrCat(path, ": an active segment that is not the newest one"));
    }
    if (!active && seg.last_lsn < next) continue;  // covered by the snapshot
    if (seg.first_lsn > next) {
      return Damage(absl::StrCat(path, " at offset 0: LSNs ", next, "..", seg.first_lsn - 1,
                                 " are missing (a gap in the command log)"));
    }
    uint64_t replayed = 0;
    auto scan =
        format::ScanSegment(fs, path, dataset, [&](const format::RecordView& r) -> absl::Status {
          if (r.lsn < next) return absl::OkStatus();
          absl::Status s =
              format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
                return state::ApplyOp(*state, db, argv);
              });
          if (!s.ok()) {
            return Damage(
                absl::StrCat(path, ": record LSN ", r.lsn, " does not apply: ", s.message()));
          }
          next = r.lsn + 1;
          ++replayed;
          return absl::OkStatus();
        });
    if (!scan.ok()) return scan.status();
    if (scan->end == format::SegmentEnd::kDamage) return Damage(scan->problem);
    if (!active && scan->end != format::SegmentEnd::kSealed) {
      return Damage(absl::StrCat(path, ": sealed segment without a valid seal record"));
    }
    result.records_replayed += replayed;
    ++result.segments_replayed;
    if (active) {
      if (scan->valid_bytes < format::kSegmentHeaderBytes) {
        // Crash while creating the segment: nothing in it was ever acknowledged.
        log(absl::StrCat("recovery: ", path, " has no header (crash at creation); set aside"));
        if (auto s = fs.Rename(path, path + ".empty.torn"); !s.ok()) return s;
        if (auto s = fs.FsyncDir(dir); !s.ok()) return s;
        continue;
      }
      if (scan->end == format::SegmentEnd::kTornTail) {
        result.torn_bytes = scan->file_bytes - scan->valid_bytes;
        result.torn_path = path + ".torn";
        if (auto s = KeepTornBytes(fs, path, scan->valid_bytes, scan->file_bytes); !s.ok()) {
          return s;
        }
        log(absl::StrCat("recovery: ", scan->problem, "; dropped ", result.torn_bytes,
                         " bytes after the last complete record (kept in ", result.torn_path, ")"));
      }
      uint64_t first = scan->header.first_lsn;
      if (scan->end == format::SegmentEnd::kSealed) {
        // Crash after the seal record was synced but before the rename was durable: finish
        // the seal protocol.
        std::string sealed =
            absl::StrCat(dir, "/", format::SealedSegmentName(first, scan->last_lsn));
        if (auto s = fs.Rename(path, sealed); !s.ok()) return s;
        if (auto s = fs.FsyncDir(dir); !s.ok()) return s;
        log(absl::StrCat("recovery: finished sealing ", path));
        continue;
      }
      auto file = fs.Open(path, io::FileSystem::OpenMode::kReadWrite);
      if (!file.ok()) return file.status();
      if (auto s = SealSegmentFile(fs, dir, **file, first, scan->last_lsn, scan->record_count,
                                   scan->valid_bytes, now_ms);
          !s.ok()) {
        return s;
      }
      log(absl::StrCat("recovery: sealed ", path, " (", scan->record_count, " records)"));
    }
  }
  result.lsn_last = next - 1;
  return result;
}

}  // namespace

absl::StatusOr<RecoveryResult> Recover(io::FileSystem& fs, const std::string& dir,
                                       const format::DatasetId& dataset, state::State* state,
                                       int64_t now_ms, const LogFn& log) {
  // A file can vanish between listing and opening when the snapshotter archives it: scan
  // again (it only archives what a newer snapshot covers).
  for (int attempt = 0;; ++attempt) {
    *state = state::State();
    auto result = RecoverOnce(fs, dir, dataset, state, now_ms, log);
    if (result.ok() || !absl::IsNotFound(result.status()) || attempt >= 10) return result;
    log(absl::StrCat("recovery: ", result.status().message(), "; rescanning"));
  }
}

}  // namespace strongbox::engine
