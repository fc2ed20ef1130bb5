// verify, inspect, restore.
#include "snapshotter/offline.h"

#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_reader.h"
#include "common/state/snapshot.h"
#include "snapshotter/catalog.h"
#include "snapshotter/replayer.h"

namespace strongbox::snapshotter {
namespace {

std::string Escape(std::string_view s, bool json) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), json ? "\\u%04x" : "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

void Progress(const std::string& what) {
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K%s", what.c_str());
}
void ProgressDone() {
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
}

}  // namespace

int RunVerify(const std::string& dir, const std::string& archive_dir, bool replay) {
  io::FileSystem& fs = io::DefaultFileSystem();
  int problems = 0;
  auto report = [&](const std::string& m) {
    ++problems;
    std::printf("DAMAGE  %s\n", m.c_str());
  };
  auto id = format::LoadDatasetId(fs, dir);
  if (!id.ok()) {
    std::printf("DAMAGE  %s\n", id.status().ToString().c_str());
    return 1;
  }
  auto catalog = LoadCatalog(fs, dir, archive_dir);
  if (!catalog.ok()) {
    std::printf("ERROR   %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  std::map<uint64_t, uint64_t> snapshot_digests;  // LSN -> digest
  for (const auto& s : catalog->snapshots) {
    auto info = state::LoadSnapshot(fs, s.path, *id, nullptr);
    if (!info.ok()) {
      report(info.status().ToString());
      continue;
    }
    snapshot_digests[info->lsn] = info->digest;
    std::printf("ok      %s (LSN %llu, %llu keys)\n", s.path.c_str(),
                static_cast<unsigned long long>(info->lsn),
                static_cast<unsigned long long>(info->entry_count));
  }
  uint64_t expected = 0;
  for (const auto& seg : catalog->segments) {
    auto scan = format::ScanSegment(fs, seg.path, *id, nullptr);
    if (!scan.ok()) {
      report(scan.status().ToString());
      continue;
    }
    if (scan->end != format::SegmentEnd::kSealed) {
      report(scan->problem.empty() ? seg.path + ": no seal record" : scan->problem);
      continue;
    }
    if (expected != 0 && seg.name.lsn_first != expected) {
      report(absl::StrCat(seg.path, ": starts at LSN ", seg.name.lsn_first, ", expected ", expected,
                          " (gap or overlap in the chain)"));
    }
    expected = seg.name.lsn_last + 1;
    std::printf("ok      %s (%llu records)\n", seg.path.c_str(),
                static_cast<unsigned long long>(scan->record_count));
  }
  for (const auto& a : catalog->active) {
    auto scan = format::ScanSegment(fs, a.path, *id, nullptr);
    if (!scan.ok()) {
      report(scan.status().ToString());
    } else if (scan->end == format::SegmentEnd::kDamage) {
      report(scan->problem);
    } else {
      if (expected != 0 && scan->header.lsn_first != expected) {
        report(absl::StrCat(a.path, ": starts at LSN ", scan->header.lsn_first, ", expected ",
                            expected));
      }
      std::printf("ok      %s (active, %llu records%s)\n", a.path.c_str(),
                  static_cast<unsigned long long>(scan->record_count),
                  scan->end == format::SegmentEnd::kTornTail ? ", torn tail" : "");
    }
  }
  // The chain must reach back to a snapshot (or to LSN 1).
  if (!catalog->segments.empty()) {
    uint64_t first = catalog->segments.front().name.lsn_first;
    bool anchored = first == 1;
    for (const auto& [lsn, d] : snapshot_digests) anchored |= lsn + 1 >= first;
    if (!anchored) report(absl::StrCat("no snapshot covers LSNs before ", first));
  }
  // Replay: every snapshot's digest must equal the digest of the state rebuilt from the
  // previous snapshot (or from empty) plus the records in between.
  if (replay && problems == 0 && !snapshot_digests.empty()) {
    Replayer r(fs, *id);
    size_t seg = 0;
    bool started = false;
    for (const auto& s : catalog->snapshots) {
      uint64_t lsn = s.name.lsn_last;
      if (!started) {
        uint64_t first = catalog->segments.empty() ? 0 : catalog->segments.front().name.lsn_first;
        if (first == 1 || lsn == 0) {
          started = true;  // replay from empty
        } else {
          if (!r.LoadSnapshot(s.path).ok()) continue;
          started = true;
          continue;
        }
      }
      while (seg < catalog->segments.size() && r.lsn_applied() < lsn) {
        const auto& f = catalog->segments[seg];
        if (f.name.lsn_last > r.lsn_applied()) {
          if (auto st = r.ApplySegment(f.path, lsn); !st.ok()) {
            report(st.ToString());
            break;
          }
        }
        if (f.name.lsn_last <= lsn)
          ++seg;
        else
          break;
      }
      uint64_t digest = state::StateDigest(r.state());
      if (r.lsn_applied() != lsn || digest != snapshot_digests[lsn]) {
        report(absl::StrCat(s.path, ": state digest mismatch — the snapshot says ",
                            snapshot_digests[lsn], ", replaying the log gives ", digest, " at LSN ",
                            r.lsn_applied()));
      } else {
        std::printf("ok      replay to LSN %llu matches %s\n", static_cast<unsigned long long>(lsn),
                    s.path.c_str());
      }
    }
  }
  std::printf("%s: %d problem(s)\n", problems ? "DAMAGED" : "VERIFIED", problems);
  return problems ? 1 : 0;
}

int RunInspect(const std::string& path, bool json, int64_t limit) {
  io::FileSystem& fs = io::DefaultFileSystem();
  format::ParsedName name = format::ParseFileName(path.substr(path.rfind('/') + 1));
  if (name.kind == format::FileKind::kSnapshot) {
    auto info = state::LoadSnapshot(fs, path, std::nullopt, nullptr);
    if (!info.ok()) {
      std::fprintf(stderr, "%s\n", info.status().ToString().c_str());
      return 1;
    }
    if (json) {
      std::printf(
          "{\"file\":\"%s\",\"kind\":\"snapshot\",\"lsn\":%llu,\"timestamp_ms\":%lld,"
          "\"entries\":%llu,\"digest\":%llu,\"bytes\":%llu,\"raw_bytes\":%llu}\n",
          Escape(path, true).c_str(), (unsigned long long)info->lsn, (long long)info->timestamp_ms,
          (unsigned long long)info->entry_count, (unsigned long long)info->digest,
          (unsigned long long)info->file_bytes, (unsigned long long)info->raw_bytes);
    } else {
      std::printf(
          "snapshot %s\n  LSN %llu\n  written %lld ms\n  entries %llu\n  digest %llu\n"
          "  %llu bytes (%llu uncompressed)\n",
          path.c_str(), (unsigned long long)info->lsn, (long long)info->timestamp_ms,
          (unsigned long long)info->entry_count, (unsigned long long)info->digest,
          (unsigned long long)info->file_bytes, (unsigned long long)info->raw_bytes);
    }
    return 0;
  }
  int64_t shown = 0;
  auto scan = format::ScanSegment(fs, path, std::nullopt, [&](const format::RecordView& r) {
    if (limit > 0 && shown >= limit) return absl::OkStatus();
    ++shown;
    std::string ops;
    (void)format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
      if (json) {
        absl::StrAppend(&ops, ops.empty() ? "" : ",", "{\"db\":", db, ",\"argv\":[");
        for (size_t i = 0; i < argv.size(); ++i) {
          absl::StrAppend(&ops, i ? "," : "", "\"", Escape(argv[i], true), "\"");
        }
        ops += "]}";
      } else {
        absl::StrAppend(&ops, "\n    db", db, ":");
        for (auto a : argv) absl::StrAppend(&ops, " \"", Escape(a, false), "\"");
      }
      return absl::OkStatus();
    });
    if (json) {
      std::printf("{\"lsn\":%llu,\"timestamp_ms\":%lld,\"ops\":[%s]}\n", (unsigned long long)r.lsn,
                  (long long)r.timestamp_ms, ops.c_str());
    } else {
      std::printf("  LSN %llu  %lld ms%s\n", (unsigned long long)r.lsn, (long long)r.timestamp_ms,
                  ops.c_str());
    }
    return absl::OkStatus();
  });
  if (!scan.ok()) {
    std::fprintf(stderr, "%s\n", scan.status().ToString().c_str());
    return 1;
  }
  const char* end = scan->end == format::SegmentEnd::kSealed     ? "sealed"
                    : scan->end == format::SegmentEnd::kClean    ? "clean end"
                    : scan->end == format::SegmentEnd::kTornTail ? "torn tail"
                                                                 : "DAMAGE";
  if (json) {
    std::printf(
        "{\"file\":\"%s\",\"kind\":\"segment\",\"dataset\":\"%s\",\"first_lsn\":%llu,"
        "\"last_lsn\":%llu,\"records\":%llu,\"end\":\"%s\",\"problem\":\"%s\"}\n",
        Escape(path, true).c_str(), format::DatasetIdHex(scan->header.dataset_id).c_str(),
        (unsigned long long)scan->header.lsn_first, (unsigned long long)scan->lsn_last,
        (unsigned long long)scan->record_count, end, Escape(scan->problem, true).c_str());
  } else {
    std::printf("segment %s\n  data set %s\n  LSN %llu..%llu, %llu records, %s %s\n", path.c_str(),
                format::DatasetIdHex(scan->header.dataset_id).c_str(),
                (unsigned long long)scan->header.lsn_first, (unsigned long long)scan->lsn_last,
                (unsigned long long)scan->record_count, end, scan->problem.c_str());
  }
  return scan->end == format::SegmentEnd::kDamage ? 1 : 0;
}

absl::StatusOr<std::unique_ptr<Replayer>> ReplayTo(io::FileSystem& fs, const std::string& dir,
                                                   const std::string& archive_dir, uint64_t to_lsn,
                                                   int64_t to_time_ms, const std::string& tool) {
  auto id = format::LoadDatasetId(fs, dir);
  if (!id.ok()) return id.status();
  auto catalog = LoadCatalog(fs, dir, archive_dir);
  if (!catalog.ok()) return catalog.status();
  std::vector<CatalogFile> segments = catalog->segments;
  segments.insert(segments.end(), catalog->active.begin(), catalog->active.end());
  if (to_time_ms > 0) {
    // The target LSN is the last record written at or before the time.
    uint64_t found = 0;
    for (const auto& seg : segments) {
      auto scan = format::ScanSegment(fs, seg.path, *id, [&](const format::RecordView& r) {
        if (r.timestamp_ms <= to_time_ms) found = std::max(found, r.lsn);
        return absl::OkStatus();
      });
      if (!scan.ok()) return scan.status();
    }
    for (const auto& s : catalog->snapshots) {
      // A snapshot's LSN is reachable even if its segments were retained away.
      auto info = state::LoadSnapshot(fs, s.path, *id, nullptr);
      if (info.ok() && found == 0 && info->timestamp_ms <= to_time_ms) found = info->lsn;
    }
    if (found == 0) return absl::NotFoundError("no record was written at or before that time");
    to_lsn = found;
    std::fprintf(stderr, "%s: the last record at or before the time is LSN %llu\n", tool.c_str(),
                 static_cast<unsigned long long>(to_lsn));
  }
  const bool newest = to_lsn == 0;
  const uint64_t limit = newest ? UINT64_MAX : to_lsn;
  auto r = std::make_unique<Replayer>(fs, *id);
  std::vector<std::string> snapshots;  // newest first, none past the target
  for (auto it = catalog->snapshots.rbegin(); it != catalog->snapshots.rend(); ++it) {
    if (it->name.lsn_last <= limit) snapshots.push_back(it->path);
  }
  auto loaded = r->LoadNewestSnapshot(snapshots, [&tool](const std::string& m) {
    std::fprintf(stderr, "%s: %s\n", tool.c_str(), m.c_str());
  });
  if (!loaded.ok()) return loaded.status();
  if (loaded->has_value()) {
    std::fprintf(stderr, "%s: starting from %s\n", tool.c_str(), (*loaded)->path.c_str());
  }
  for (const auto& seg : segments) {
    if (r->lsn_applied() >= limit) break;
    if (seg.name.kind != format::FileKind::kActive && seg.name.lsn_last <= r->lsn_applied())
      continue;
    Progress(absl::StrCat(tool, ": applying ", seg.path, " (at LSN ", r->lsn_applied(), ")"));
    // The engine's active segment counts with its complete records (a torn tail is not data).
    absl::Status s = r->ApplySegment(seg.path, newest ? 0 : to_lsn,
                                     /*allow_unsealed=*/seg.name.kind == format::FileKind::kActive);
    if (!s.ok()) return s;
  }
  ProgressDone();
  if (!newest && r->lsn_applied() != to_lsn) {
    return absl::OutOfRangeError(absl::StrCat(
        "LSN ", to_lsn, " cannot be reached: the files end at LSN ", r->lsn_applied()));
  }
  return r;
}

int RunRestore(const std::string& dir, const std::string& archive_dir, uint64_t to_lsn,
               int64_t to_time_ms, const std::string& target) {
  io::FileSystem& fs = io::DefaultFileSystem();
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "restore: %s\n", m.c_str());
    return 1;
  };
  auto replayed = ReplayTo(fs, dir, archive_dir, to_lsn, to_time_ms, "restore");
  if (!replayed.ok()) return fail(replayed.status().ToString());
  Replayer& r = **replayed;
  to_lsn = r.lsn_applied();
  auto id = format::LoadDatasetId(fs, dir);
  if (!id.ok()) return fail(id.status().ToString());
  if (auto s = fs.CreateDir(target); !s.ok()) return fail(s.ToString());
  auto existing = format::ScanDirectory(fs, target);
  if (existing.ok() &&
      (!existing->sealed.empty() || !existing->active.empty() || !existing->snapshots.empty())) {
    return fail(target + " already holds a data set; restore into an empty directory");
  }
  if (auto s = format::WriteDatasetId(fs, target, *id); !s.ok()) return fail(s.ToString());
  auto info =
      state::WriteSnapshot(fs, target, *id, to_lsn, r.applied_timestamp_ms(), r.state(), {});
  if (!info.ok()) return fail(info.status().ToString());
  std::printf("restored LSN %llu (%llu keys) into %s\n", static_cast<unsigned long long>(to_lsn),
              static_cast<unsigned long long>(info->entry_count), info->path.c_str());
  return 0;
}

}  // namespace strongbox::snapshotter
