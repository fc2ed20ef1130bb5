// Archive moves, crash recovery of moves, and retention planning.
#include "snapshotter/archiver.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/segment_reader.h"
#include "common/format/zstd_frame.h"

namespace strongbox::snapshotter {
namespace {

std::string ArchivedName(const format::ParsedName& n, bool compress) {
  if (n.kind == format::FileKind::kSealed && compress) {
    return format::ArchivedSegmentName(n.lsn_first, n.lsn_last);
  }
  return n.name;
}

absl::StatusOr<std::string> ReadAll(io::FileSystem& fs, const std::string& path) {
  auto f = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!f.ok()) return f.status();
  auto size = (*f)->Size();
  if (!size.ok()) return size.status();
  return (*f)->ReadAt(0, *size);
}

// Does the archived copy hold exactly the hot file's content?
absl::Status VerifyCopy(io::FileSystem& fs, const std::string& hot_path,
                        const std::string& archived_path) {
  auto original = ReadAll(fs, hot_path);
  if (!original.ok()) return original.status();
  auto copy = absl::EndsWith(archived_path, ".log.zst")
                  ? format::ReadSegmentBytes(fs, archived_path)
                  : ReadAll(fs, archived_path);
  if (!copy.ok()) return copy.status();
  if (*copy != *original) {
    return absl::DataLossError(
        absl::StrCat("archived copy ", archived_path, " does not match ", hot_path));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<format::ParsedName> PlanArchive(const format::DirectoryListing& hot,
                                            int keep_snapshots) {
  std::vector<format::ParsedName> out;
  if (hot.snapshots.empty() || keep_snapshots < 1) return out;
  size_t n = hot.snapshots.size();
  size_t keep = std::min<size_t>(n, static_cast<size_t>(keep_snapshots));
  uint64_t lsn_oldest_kept = hot.snapshots[n - keep].lsn_last;
  for (size_t i = 0; i + keep < n; ++i) out.push_back(hot.snapshots[i]);
  for (const auto& seg : hot.sealed) {
    if (seg.lsn_last <= lsn_oldest_kept) out.push_back(seg);
  }
  return out;
}

absl::StatusOr<uint64_t> ArchiveFile(io::FileSystem& fs, const ArchiveOptions& o,
                                     const format::ParsedName& name) {
  std::string src = absl::StrCat(o.hot_dir, "/", name.name);
  std::string dst_name = ArchivedName(name, o.compress);
  std::string dst = absl::StrCat(o.archive_dir, "/", dst_name);
  if (auto s = fs.CreateDir(o.archive_dir); !s.ok()) return s;
  bool transform = dst_name != name.name;
  auto same = fs.SameVolume(o.hot_dir, o.archive_dir);
  if (!same.ok()) return same.status();
  if (*same && !transform) {
    auto size = fs.FileSize(src);
    if (!size.ok()) return size.status();
    if (auto s = fs.Rename(src, dst); !s.ok() && !io::IsCrossDevice(s))
      return s;
    else if (s.ok()) {
      if (auto d = fs.FsyncDir(o.archive_dir); !d.ok()) return d;
      if (auto d = fs.FsyncDir(o.hot_dir); !d.ok()) return d;
      return *size;
    }
    // EXDEV although statvfs said otherwise (bind mounts): fall through to copying.
  }
  auto content = ReadAll(fs, src);
  if (!content.ok()) return content.status();
  std::string bytes;
  if (transform) {
    auto z = format::ZstdCompress(*content, o.compression_level);
    if (!z.ok()) return z.status();
    bytes = std::move(*z);
  } else {
    bytes = std::move(*content);
  }
  std::string tmp = dst + ".tmp";
  {
    auto f = fs.Open(tmp, io::FileSystem::OpenMode::kCreateOrTruncate);
    if (!f.ok()) return f.status();
    absl::Status s = (*f)->WriteAt(0, bytes);
    if (s.ok()) s = (*f)->Fsync();
    if (!s.ok()) {
      f->reset();
      (void)fs.Unlink(tmp);  // a full archive must not keep half a copy
      return s;
    }
  }
  if (auto s = fs.Rename(tmp, dst); !s.ok()) return s;
  if (auto s = fs.FsyncDir(o.archive_dir); !s.ok()) return s;
  if (auto s = VerifyCopy(fs, src, dst); !s.ok()) {
    (void)fs.Unlink(dst);
    return s;
  }
  if (auto s = fs.Unlink(src); !s.ok()) return s;
  if (auto s = fs.FsyncDir(o.hot_dir); !s.ok()) return s;
  return bytes.size();
}

absl::Status RecoverArchive(io::FileSystem& fs, const ArchiveOptions& o, const LogFn& log) {
  auto exists = fs.Exists(o.archive_dir);
  if (!exists.ok() || !*exists) return absl::OkStatus();
  auto names = fs.ListDir(o.archive_dir);
  if (!names.ok()) return names.status();
  for (const auto& n : *names) {
    if (absl::EndsWith(n, ".tmp")) {
      log(absl::StrCat("archive: removing unfinished copy ", n));
      if (auto s = fs.Unlink(absl::StrCat(o.archive_dir, "/", n)); !s.ok()) return s;
    }
  }
  auto hot = format::ScanDirectory(fs, o.hot_dir);
  if (!hot.ok()) return hot.status();
  std::vector<format::ParsedName> candidates = hot->snapshots;
  candidates.insert(candidates.end(), hot->sealed.begin(), hot->sealed.end());
  for (const auto& n : candidates) {
    for (bool compress : {true, false}) {
      std::string dst = absl::StrCat(o.archive_dir, "/", ArchivedName(n, compress));
      auto there = fs.Exists(dst);
      if (!there.ok() || !*there) continue;
      std::string src = absl::StrCat(o.hot_dir, "/", n.name);
      if (VerifyCopy(fs, src, dst).ok()) {
        log(absl::StrCat("archive: finishing the move of ", n.name));
        if (auto s = fs.Unlink(src); !s.ok()) return s;
        if (auto s = fs.FsyncDir(o.hot_dir); !s.ok()) return s;
      } else {
        log(absl::StrCat("archive: ", dst, " does not verify; removing it, the move is redone"));
        if (auto s = fs.Unlink(dst); !s.ok()) return s;
        if (auto s = fs.FsyncDir(o.archive_dir); !s.ok()) return s;
      }
      break;
    }
  }
  auto final_sync = fs.FsyncDir(o.archive_dir);
  return final_sync;
}

std::vector<format::ParsedName> PlanRetention(const std::vector<ArchivedFileInfo>& archived,
                                              const RetentionOptions& o, int64_t now_ms) {
  std::vector<format::ParsedName> out;
  if (o.max_age_ms == 0 && o.max_bytes == 0) return out;
  std::vector<const ArchivedFileInfo*> snapshots, segments;
  uint64_t total = 0;
  for (const auto& f : archived) {
    total += f.bytes;
    if (f.name.kind == format::FileKind::kSnapshot) {
      snapshots.push_back(&f);
    } else if (f.name.kind == format::FileKind::kArchivedSegment ||
               f.name.kind == format::FileKind::kSealed) {
      segments.push_back(&f);
    }
  }
  auto by_lsn = [](const auto* a, const auto* b) { return a->name.lsn_last < b->name.lsn_last; };
  std::sort(snapshots.begin(), snapshots.end(), by_lsn);
  std::sort(segments.begin(), segments.end(), by_lsn);
  if (snapshots.empty()) return out;  // no archived snapshot to restart a chain from
  // Unit i ends at the snapshot that starts unit i+1; the newest snapshot's unit is kept.
  uint64_t unit_start = 0;  // LSN after which the unit begins (0 = from the beginning)
  size_t seg = 0;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    uint64_t unit_end = snapshots[i]->name.lsn_last;
    std::vector<const ArchivedFileInfo*> unit;
    if (i > 0) unit.push_back(snapshots[i - 1]);
    while (seg < segments.size() && segments[seg]->name.lsn_last <= unit_end) {
      unit.push_back(segments[seg++]);
    }
    uint64_t unit_bytes = 0;
    int64_t newest_ms = 0;
    for (const auto* f : unit) {
      unit_bytes += f->bytes;
      newest_ms = std::max(newest_ms, f->mtime_ms);
    }
    bool too_old = o.max_age_ms > 0 && !unit.empty() && now_ms - newest_ms > o.max_age_ms;
    bool too_big = o.max_bytes > 0 && total > o.max_bytes;
    if (unit.empty()) {
      unit_start = unit_end;
      continue;
    }
    if (!too_old && !too_big) break;
    for (const auto* f : unit) out.push_back(f->name);
    total -= unit_bytes;
    unit_start = unit_end;
  }
  (void)unit_start;
  return out;
}

}  // namespace strongbox::snapshotter
