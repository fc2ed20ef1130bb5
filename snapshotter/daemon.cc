// The snapshotter daemon loop (inotify + rescans), snapshot policy, archiving, metrics.
#include "snapshotter/daemon.h"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/replaced_logs.h"
#include "common/format/snapshot_request.h"
#include "common/io/file_system.h"
#include "common/metrics/http_server.h"
#include "common/metrics/registry.h"
#include "common/state/snapshot.h"
#include "snapshotter/catalog.h"
#include "snapshotter/generation_guard.h"
#include "snapshotter/replayer.h"

namespace strongbox::snapshotter {
namespace {

// Snapshots are written here, then renamed into the directory under the generation guard.
constexpr const char* kStagingDir = "snapshotter-staging";

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

void Log(const std::string& m) { std::fprintf(stderr, "strongbox-snapshotter: %s\n", m.c_str()); }

class Daemon {
 public:
  explicit Daemon(DaemonOptions o)
      : o_(std::move(o)), fs_(io::DefaultFileSystem()), guard_(fs_, o_.dir) {
    if (o_.archive_dir.empty()) o_.archive_dir = o_.dir + "/archived";
    archive_.hot_dir = o_.dir;
    archive_.archive_dir = o_.archive_dir;
    archive_.keep_snapshots = o_.keep_snapshots;
    archive_.compress = o_.archive_compress;
    archive_.compression_level = o_.compression_level;
    RegisterMetrics();
  }

  int Run() {
    if (auto s = Start(); !s.ok()) {
      Log("cannot start: " + s.ToString());
      return 1;
    }
    ready_ = true;
    Log(absl::StrCat("watching ", o_.dir, " (archive ", o_.archive_dir, "), state at LSN ",
                     replayer_->lsn_applied()));
    return Loop();
  }

 private:
  absl::Status Start() {
    ApplyPriorities(o_.cpu_priority, o_.io_priority, o_.nice, Log);
    if (auto s = fs_.CreateDir(o_.dir); !s.ok()) return s;
    std::string lock_path = o_.dir + "/snapshotter.lock";
    auto lock = fs_.LockExclusive(lock_path);
    if (absl::IsFailedPrecondition(lock.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "another strongbox-snapshotter already uses ", o_.dir, " (", lock_path, " is locked)"));
    }
    if (!lock.ok()) return lock.status();
    lock_ = std::move(*lock);
    // Watch first, then scan, so that nothing sealed in between is missed.
    inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (inotify_fd_ < 0) return io::ErrnoStatus(errno, "inotify_init1", o_.dir);
    if (inotify_add_watch(inotify_fd_, o_.dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
      return io::ErrnoStatus(errno, "inotify_add_watch", o_.dir);
    }
    // The engine creates dataset.id on first start: wait for it rather than guess.
    for (int i = 0;; ++i) {
      auto exists = fs_.Exists(o_.dir + "/" + std::string(format::kDatasetIdFile));
      if (!exists.ok()) return exists.status();
      if (*exists) break;
      if (i % 50 == 0) Log("waiting for the engine to initialise " + o_.dir + " (dataset.id)");
      if (stop_requested()) return absl::CancelledError("stopped while waiting");
      usleep(100'000);
    }
    if (auto s = RecoverArchive(fs_, archive_, Log); !s.ok())
      Log("archive recovery: " + s.ToString());
    RemoveOwnTmpFiles();
    if (auto s = LoadState(); !s.ok()) return s;
    last_snapshot_ms_ = NowMs();
    if (o_.metrics_port > 0) {
      http_ = std::make_unique<metrics::MetricsHttpServer>(
          metrics_, metrics::MetricsHttpServer::Probes{
                        .healthy =
                            [this](std::string* why) {
                              if (stalled_.load()) {
                                *why = "replay stalled: " + stall_reason_copy();
                                return false;
                              }
                              return true;
                            },
                        .ready =
                            [this](std::string* why) {
                              *why = ready_.load() ? "ok" : "starting";
                              return ready_.load();
                            }});
      if (auto s = http_->Start(o_.metrics_bind, o_.metrics_port); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The state from the newest snapshot of the directory's current log (its generation is
  // adopted before any of its files is read).
  absl::Status LoadState() {
    std::vector<std::string> snapshots;
    absl::Status listed = guard_.Adopt([&]() -> absl::Status {
      std::string moved;
      auto s = format::FollowArchiveGeneration(fs_, o_.archive_dir, guard_.adopted(), &moved);
      if (!s.ok()) return s;
      if (!moved.empty()) Log("the archived files of the replaced log are in " + moved);
      auto id = format::LoadDatasetId(fs_, o_.dir);
      if (!id.ok()) return id.status();
      dataset_ = *id;
      auto catalog = LoadCatalog(fs_, o_.dir, o_.archive_dir);
      if (!catalog.ok()) return catalog.status();
      for (auto it = catalog->snapshots.rbegin(); it != catalog->snapshots.rend(); ++it) {
        snapshots.push_back(it->path);
      }
      return absl::OkStatus();
    });
    if (!listed.ok()) return listed;
    replayer_ = std::make_unique<Replayer>(fs_, dataset_);
    lsn_snapshot_ = 0;
    lsn_archived_ = 0;
    segments_since_snapshot_ = 0;
    auto loaded = replayer_->LoadNewestSnapshot(snapshots, Log);
    if (!loaded.ok()) return loaded.status();
    if (loaded->has_value()) {
      lsn_snapshot_ = replayer_->lsn_applied();
      Log(absl::StrCat("loaded ", (*loaded)->path));
    }
    return absl::OkStatus();
  }

  // A replica's full resync replaced the log (replica_install.h): what was replayed belongs to
  // the old one, so the state starts over from the new log's snapshot. False if the new log is
  // not in place yet (retried next pass).
  bool FollowReplacedLog() {
    auto changed = guard_.Changed();
    if (!changed.ok() || !*changed) return changed.ok();
    std::string old_generation = guard_.adopted();
    replayer_.reset();
    if (auto s = LoadState(); !s.ok()) {
      Log("cannot load the new log yet: " + s.ToString());
      guard_.Forget();  // retried next pass
      pending_events_ = true;
      return false;
    }
    Log(absl::StrCat("the log was replaced (generation '", old_generation, "' -> '",
                     guard_.adopted(), "'): started over from its files at LSN ",
                     replayer_->lsn_applied()));
    SetStall("");
    last_snapshot_ms_ = NowMs();
    return true;
  }

  bool stop_requested() {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT);
  }

  std::string stall_reason_copy() {
    std::lock_guard<std::mutex> l(stall_mu_);
    return stall_reason_;
  }

  void RemoveOwnTmpFiles() {
    std::string staging = o_.dir + "/" + kStagingDir;
    (void)fs_.CreateDir(staging);
    if (auto names = fs_.ListDir(staging); names.ok()) {
      for (const std::string& n : *names) (void)fs_.Unlink(staging + "/" + n);
    }
    auto listing = format::ScanDirectory(fs_, o_.dir);
    if (!listing.ok()) return;
    for (const auto& t : listing->tmp) {
      // A request's temporary file is the engine's, being renamed into place.
      if (absl::StartsWith(t.name, "snapshot-") && !absl::StartsWith(t.name, "snapshot-request-")) {
        Log("removing unfinished snapshot " + t.name);
        (void)fs_.Unlink(o_.dir + "/" + t.name);
      }
    }
  }

  int Loop() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    int64_t next_rescan_ms = 0;
    for (;;) {
      int64_t now = NowMs();
      if (now >= next_rescan_ms || pending_events_) {
        pending_events_ = false;
        Work();
        next_rescan_ms = NowMs() + std::min<int64_t>(o_.rescan_interval_ms, NextDueMs());
      }
      pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {sfd, POLLIN, 0}};
      int timeout = static_cast<int>(std::clamp<int64_t>(next_rescan_ms - NowMs(), 0, 60'000));
      int n = poll(fds, 2, timeout);
      if (n < 0 && errno != EINTR) {
        Log(absl::StrCat("poll: ", strerror(errno)));
        return 1;
      }
      if (fds[1].revents & POLLIN) {
        Log("signal: stopping");
        if (http_) http_->Stop();
        return 0;
      }
      if (fds[0].revents & POLLIN) DrainInotify();
    }
  }

  int64_t NextDueMs() {
    int64_t due = last_snapshot_ms_ + o_.snapshot_interval_s * 1000 - NowMs();
    return std::max<int64_t>(due, 50);
  }

  void DrainInotify() {
    alignas(inotify_event) char buf[16384];
    for (;;) {
      ssize_t n = read(inotify_fd_, buf, sizeof(buf));
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        // Any event triggers a scan; IN_Q_OVERFLOW means events were lost, which a scan
        // covers as well.
        uint64_t requested_lsn = 0;
        if ((ev->mask & IN_Q_OVERFLOW) || ev->len == 0 ||
            format::ParseFileName(ev->name).kind == format::FileKind::kSealed ||
            ev->name == format::kDatasetIdFile ||  // a replaced log's
            format::ParseSnapshotRequestName(ev->name, &requested_lsn)) {
          pending_events_ = true;
        }
        p += sizeof(inotify_event) + ev->len;
      }
    }
  }

  void Work() {
    if (!FollowReplacedLog()) return;
    auto catalog = LoadCatalog(fs_, o_.dir, o_.archive_dir);
    if (!catalog.ok()) {
      Log("scan: " + catalog.status().ToString());
      return;
    }
    ApplyNewSegments(*catalog);
    ServeRequests();
    MaybeSnapshot();
    Archive();
    Retain();
    UpdateMetrics(*catalog);
  }

  void ApplyNewSegments(const Catalog& catalog) {
    auto start = std::chrono::steady_clock::now();
    uint64_t records_before = replayer_->records_applied();
    // Reported once per pass so the replay rate is visible in the log.
    struct Report {
      Daemon* d;
      std::chrono::steady_clock::time_point start;
      uint64_t before;
      ~Report() {
        uint64_t n = d->replayer_->records_applied() - before;
        if (n < 10000) return;
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Log(absl::StrCat("replayed ", n, " records in ", s, " s (",
                         static_cast<uint64_t>(static_cast<double>(n) / s), " records/s)"));
      }
    } report{this, start, records_before};
    for (const auto& seg : catalog.segments) {
      if (seg.name.lsn_last <= replayer_->lsn_applied()) continue;
      absl::Status s = replayer_->ApplySegment(seg.path);
      if (absl::IsNotFound(s)) {
        pending_events_ = true;  // archived meanwhile: rescan
        return;
      }
      if (!s.ok()) {
        // A segment of a log that replaced this one (read before the guard noticed) is no
        // damage: the next pass starts over from the new log.
        auto replaced = guard_.Changed();
        if (replaced.ok() && *replaced) {
          pending_events_ = true;
          return;
        }
        SetStall(s.ToString());
        return;
      }
      SetStall("");
      ++segments_since_snapshot_;
      m_.segments_applied->Inc();
    }
  }

  void SetStall(const std::string& reason) {
    std::lock_guard<std::mutex> l(stall_mu_);
    if (!reason.empty() && reason != stall_reason_) Log("replay stalled: " + reason);
    stall_reason_ = reason;
    stalled_ = !reason.empty();
  }

  // Snapshot requests (BGSAVE, SAVE, BGREWRITEAOF): once the replayed state reaches a request's
  // LSN (the engine seals the log through it), a snapshot is written whatever the policy says,
  // and every request it covers is removed — the engine sees the removal in its listing.
  void ServeRequests() {
    auto requests = format::ListSnapshotRequests(fs_, o_.dir);
    if (!requests.ok() || requests->empty()) return;
    uint64_t lsn = replayer_->lsn_applied();
    if (requests->front().lsn > lsn) return;  // the log is not sealed through it yet
    if (requests->front().lsn > lsn_snapshot_ && !WriteSnapshot()) return;  // retried next pass
    for (const auto& r : *requests) {
      if (r.lsn > lsn_snapshot_) break;
      Log(absl::StrCat("served ", r.name, " with the snapshot at LSN ", lsn_snapshot_));
      (void)fs_.Unlink(o_.dir + "/" + r.name);
    }
  }

  void MaybeSnapshot() {
    uint64_t lsn = replayer_->lsn_applied();
    if (lsn == 0 || lsn == lsn_snapshot_) return;
    bool by_count = segments_since_snapshot_ >= o_.snapshot_every;
    bool by_time = NowMs() - last_snapshot_ms_ >= o_.snapshot_interval_s * 1000;
    if (!by_count && !by_time) return;
    WriteSnapshot();
  }

  // A snapshot of the replayed state now; false if it could not be written.
  bool WriteSnapshot() {
    uint64_t lsn = replayer_->lsn_applied();
    auto start = std::chrono::steady_clock::now();
    std::string staging = o_.dir + "/" + kStagingDir;
    auto info = state::WriteSnapshot(fs_, staging, dataset_, lsn, NowMs(), replayer_->state(),
                                     {o_.compression_level, o_.compression_workers});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (info.ok()) info = Publish(*std::move(info), lsn);
    if (absl::IsAborted(info.status())) {
      Log(absl::StrCat("snapshot at LSN ", lsn, " dropped: ", info.status().message()));
      return false;
    }
    if (!info.ok()) {
      Log("snapshot failed: " + info.status().ToString());
      m_.snapshot_failures->Inc();
      last_snapshot_ms_ = NowMs();  // retry at the next interval, not in a tight loop
      return false;
    }
    lsn_snapshot_ = lsn;
    segments_since_snapshot_ = 0;
    last_snapshot_ms_ = NowMs();
    m_.snapshots->Inc();
    m_.last_snapshot_time->Set(static_cast<double>(last_snapshot_ms_) / 1000.0);
    m_.last_snapshot_seconds->Set(seconds);
    m_.last_snapshot_bytes->Set(static_cast<double>(info->file_bytes));
    Log(absl::StrCat("snapshot ", info->path, ": ", info->entry_count, " keys, ", info->file_bytes,
                     " bytes (", info->raw_bytes, " raw) in ", seconds, " s"));
    return true;
  }

  // Moves a staged snapshot into the directory, unless the log it was built from was replaced.
  absl::StatusOr<state::SnapshotInfo> Publish(state::SnapshotInfo info, uint64_t lsn) {
    std::string path = o_.dir + "/" + format::SnapshotName(lsn);
    absl::Status s = guard_.PublishIfCurrent([&] {
      if (auto r = fs_.Rename(info.path, path); !r.ok()) return r;
      return fs_.FsyncDir(o_.dir);
    });
    if (!s.ok()) {
      (void)fs_.Unlink(info.path);
      if (absl::IsAborted(s)) pending_events_ = true;  // start over at once
      return s;
    }
    info.path = path;
    return info;
  }

  void Archive() {
    if (NowMs() < archive_retry_ms_) return;
    auto hot = format::ScanDirectory(fs_, o_.dir);
    if (!hot.ok()) return;
    for (const auto& name : PlanArchive(*hot, o_.keep_snapshots)) {
      absl::StatusOr<uint64_t> moved = 0;
      absl::Status guarded = guard_.PublishIfCurrent([&] {
        moved = ArchiveFile(fs_, archive_, name);
        return absl::OkStatus();
      });
      if (absl::IsAborted(guarded)) {  // the file belongs to a replaced log: start over
        pending_events_ = true;
        return;
      }
      if (!guarded.ok()) moved = guarded;
      if (!moved.ok()) {
        // Full or read-only archive: the hot copy stays; retry with backoff.
        m_.archive_failures->Inc();
        archive_backoff_ms_ =
            std::min<int64_t>(std::max<int64_t>(archive_backoff_ms_ * 2, 1000), 60'000);
        archive_retry_ms_ = NowMs() + archive_backoff_ms_;
        Log(absl::StrCat("archiving ", name.name, " failed (", moved.status().ToString(),
                         "); kept on the hot volume, retry in ", archive_backoff_ms_, " ms"));
        return;
      }
      archive_backoff_ms_ = 0;
      if (name.kind == format::FileKind::kSealed) {
        lsn_archived_ = std::max(lsn_archived_, name.lsn_last);
      }
    }
  }

  void Retain() {
    if (o_.retain_archive_days == 0 && o_.retain_archive_bytes == 0) return;
    auto listing = format::ScanDirectory(fs_, o_.archive_dir);
    if (!listing.ok()) return;
    std::vector<ArchivedFileInfo> files;
    auto add = [&](const format::ParsedName& n) {
      std::string path = o_.archive_dir + "/" + n.name;
      auto bytes = fs_.FileSize(path);
      auto modified_ms = fs_.ModifiedTimeMs(path);
      if (!bytes.ok() || !modified_ms.ok()) return;  // gone meanwhile: nothing to retain
      files.push_back({n, *bytes, *modified_ms});
    };
    for (const auto& n : listing->snapshots) add(n);
    for (const auto& n : listing->archived) add(n);
    for (const auto& n : listing->sealed) add(n);
    RetentionOptions r{o_.retain_archive_days * 86'400'000, o_.retain_archive_bytes};
    for (const auto& n : PlanRetention(files, r, NowMs())) {
      Log("retention: deleting archived " + n.name);
      (void)fs_.Unlink(o_.archive_dir + "/" + n.name);
    }
    (void)fs_.FsyncDir(o_.archive_dir);
  }

  void UpdateMetrics(const Catalog& c) {
    uint64_t newest_sealed = 0;
    for (const auto& s : c.segments) newest_sealed = std::max(newest_sealed, s.name.lsn_last);
    m_.lsn_applied->Set(static_cast<double>(replayer_->lsn_applied()));
    m_.lsn_snapshot->Set(static_cast<double>(lsn_snapshot_));
    m_.lsn_sealed->Set(static_cast<double>(newest_sealed));
    m_.lag->Set(
        static_cast<double>(newest_sealed > lsn_snapshot_ ? newest_sealed - lsn_snapshot_ : 0));
    uint64_t bytes = 0, files = 0, lsn_archived = 0;
    auto listing = format::ScanDirectory(fs_, o_.archive_dir);
    if (listing.ok()) {
      for (const auto* group : {&listing->snapshots, &listing->archived, &listing->sealed}) {
        for (const auto& n : *group) {
          auto size = fs_.FileSize(o_.archive_dir + "/" + n.name);
          if (size.ok()) bytes += *size;
          ++files;
          if (n.kind != format::FileKind::kSnapshot)
            lsn_archived = std::max(lsn_archived, n.lsn_last);
        }
      }
    }
    m_.archive_bytes->Set(static_cast<double>(bytes));
    m_.archive_files->Set(static_cast<double>(files));
    m_.lsn_archived->Set(static_cast<double>(std::max(lsn_archived, lsn_archived_)));
  }

  void RegisterMetrics() {
    const char* p = "strongbox_snapshotter_lsn";
    m_.lsn_applied = &metrics_.AddGauge(p, "LSNs seen by the snapshotter.", "kind=\"applied\"");
    m_.lsn_snapshot =
        &metrics_.AddGauge(p, "LSNs seen by the snapshotter.", "kind=\"snapshotted\"");
    m_.lsn_sealed = &metrics_.AddGauge(p, "LSNs seen by the snapshotter.", "kind=\"sealed\"");
    m_.lsn_archived = &metrics_.AddGauge(p, "LSNs seen by the snapshotter.", "kind=\"archived\"");
    m_.lag = &metrics_.AddGauge("strongbox_snapshotter_lag_records",
                                "Newest sealed LSN minus newest snapshot LSN.");
    m_.snapshots =
        &metrics_.AddCounter("strongbox_snapshotter_snapshots_written_total", "Snapshots written.");
    m_.snapshot_failures = &metrics_.AddCounter("strongbox_snapshotter_snapshot_failures_total",
                                                "Snapshots that could not be written.");
    m_.last_snapshot_time = &metrics_.AddGauge(
        "strongbox_snapshotter_last_snapshot_timestamp_seconds", "Unix time of the last snapshot.");
    m_.last_snapshot_seconds = &metrics_.AddGauge(
        "strongbox_snapshotter_last_snapshot_duration_seconds", "Time to write the last snapshot.");
    m_.last_snapshot_bytes = &metrics_.AddGauge("strongbox_snapshotter_last_snapshot_bytes",
                                                "Size of the last snapshot file.");
    m_.archive_bytes = &metrics_.AddGauge("strongbox_snapshotter_archive_bytes",
                                          "Bytes in the archive directory.");
    m_.archive_files = &metrics_.AddGauge("strongbox_snapshotter_archive_files",
                                          "Files in the archive directory.");
    m_.archive_failures = &metrics_.AddCounter("strongbox_snapshotter_archive_failures_total",
                                               "Archive moves that failed (full/read-only).");
    m_.segments_applied = &metrics_.AddCounter("strongbox_snapshotter_segments_applied_total",
                                               "Sealed segments replayed.");
    metrics::AddVolumeGauges(metrics_, fs_, "strongbox_snapshotter", "persistence", o_.dir);
    metrics::AddVolumeGauges(metrics_, fs_, "strongbox_snapshotter", "archive", o_.archive_dir);
  }

  DaemonOptions o_;
  io::FileSystem& fs_;
  GenerationGuard guard_;
  ArchiveOptions archive_;
  format::DatasetId dataset_{};
  std::unique_ptr<Replayer> replayer_;
  std::unique_ptr<io::FileLock> lock_;
  int inotify_fd_ = -1;
  bool pending_events_ = false;
  uint64_t lsn_snapshot_ = 0;
  uint64_t lsn_archived_ = 0;
  int segments_since_snapshot_ = 0;
  int64_t last_snapshot_ms_ = 0;
  int64_t archive_retry_ms_ = 0;
  int64_t archive_backoff_ms_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stalled_{false};
  std::mutex stall_mu_;
  std::string stall_reason_;
  metrics::Registry metrics_;
  std::unique_ptr<metrics::MetricsHttpServer> http_;
  struct {
    metrics::Gauge *lsn_applied, *lsn_snapshot, *lsn_sealed, *lsn_archived, *lag;
    metrics::Counter *snapshots, *snapshot_failures, *archive_failures, *segments_applied;
    metrics::Gauge *last_snapshot_time, *last_snapshot_seconds, *last_snapshot_bytes;
    metrics::Gauge *archive_bytes, *archive_files;
  } m_{};
};

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  Daemon d(options);
  return d.Run();
}

}  // namespace strongbox::snapshotter
