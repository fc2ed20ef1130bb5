// strongbox-snapshotter: run (daemon) | verify | inspect | restore | import-rdb | export-rdb |
// healthcheck.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <map>

#include "absl/time/time.h"
#include "common/metrics/http_server.h"
#include "snapshotter/daemon.h"
#include "snapshotter/offline.h"
#include "snapshotter/rdb_io.h"

namespace {

// RFC 3339 ("2026-11-24T13:00:00Z") or Unix milliseconds.
bool ParseTime(const std::string& text, int64_t* ms) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    *ms = std::stoll(text);
    return true;
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return false;
  *ms = absl::ToUnixMillis(t);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strongbox::snapshotter;
  CLI::App app{"strongbox-snapshotter: snapshots, archive, retention, verify, restore"};
  app.require_subcommand(1);
  DaemonOptions d;
  std::string dir = "/app/persistence", archive_dir;

  CLI::App* run = app.add_subcommand("run", "Watch, replay, snapshot, archive (the daemon)");
  run->add_option("--dir", d.dir, "Persistence directory")->envname("STRONGBOX_DIR");
  run->add_option("--archive-dir", d.archive_dir, "Archive directory (default <dir>/archived)")
      ->envname("STRONGBOX_ARCHIVE_DIR");
  run->add_option("--metrics-port", d.metrics_port, "HTTP /metrics /healthz /readyz (0 = off)")
      ->envname("STRONGBOX_SNAPSHOTTER_METRICS_PORT");
  run->add_option("--metrics-bind", d.metrics_bind, "Address of the metrics endpoint")
      ->envname("STRONGBOX_SNAPSHOTTER_METRICS_BIND");
  run->add_option("--snapshot-every", d.snapshot_every, "Snapshot after this many sealed segments")
      ->envname("STRONGBOX_SNAPSHOT_EVERY")
      ->check(CLI::Range(1, 1000000));
  run->add_option("--snapshot-interval", d.snapshot_interval_s,
                  "Seconds; snapshot this often if anything is new")
      ->envname("STRONGBOX_SNAPSHOT_INTERVAL")
      ->check(CLI::Range(int64_t{1}, int64_t{86400 * 30}));
  run->add_option("--keep-snapshots", d.keep_snapshots, "Snapshots kept on the hot volume")
      ->envname("STRONGBOX_KEEP_SNAPSHOTS")
      ->check(CLI::Range(1, 1000));
  run->add_option("--archive-compress", d.archive_compress, "Recompress archived segments (zstd)")
      ->envname("STRONGBOX_ARCHIVE_COMPRESS");
  run->add_option("--compression-level", d.compression_level, "zstd level for snapshots/archive")
      ->envname("STRONGBOX_COMPRESSION_LEVEL")
      ->check(CLI::Range(1, 19));
  run->add_option("--compression-workers", d.compression_workers, "zstd worker threads")
      ->envname("STRONGBOX_COMPRESSION_WORKERS")
      ->check(CLI::Range(0, 64));
  run->add_option("--retain-archive-days", d.retain_archive_days,
                  "Delete archived data older than this (0 = keep)")
      ->envname("STRONGBOX_RETAIN_ARCHIVE_DAYS")
      ->check(CLI::Range(int64_t{0}, int64_t{36500}));
  run->add_option("--retain-archive-bytes", d.retain_archive_bytes,
                  "Keep the archive under this size (0 = no limit)")
      ->envname("STRONGBOX_RETAIN_ARCHIVE_BYTES");
  run->add_option("--rescan-interval-ms", d.rescan_interval_ms,
                  "Directory rescan as a safety net for missed inotify events")
      ->envname("STRONGBOX_RESCAN_INTERVAL_MS")
      ->check(CLI::Range(int64_t{100}, int64_t{600000}));
  run->add_option("--nice", d.nice, "Scheduling niceness (the engine comes first)")
      ->envname("STRONGBOX_SNAPSHOTTER_NICE")
      ->check(CLI::Range(-20, 19));
  run->add_option("--cpu-priority", d.cpu_priority,
                  "idle (SCHED_IDLE: only otherwise idle CPU time) or normal (nice only)")
      ->envname("STRONGBOX_SNAPSHOTTER_CPU_PRIORITY")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, CpuPriority>{{"idle", CpuPriority::kIdle},
                                             {"normal", CpuPriority::kNormal}},
          CLI::ignore_case));
  run->add_option("--io-priority", d.io_priority,
                  "idle (IOPRIO_CLASS_IDLE) or best-effort (the kernel's default)")
      ->envname("STRONGBOX_SNAPSHOTTER_IO_PRIORITY")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, IoPriority>{{"idle", IoPriority::kIdle},
                                            {"best-effort", IoPriority::kBestEffort}},
          CLI::ignore_case));

  bool no_replay = false;
  CLI::App* verify = app.add_subcommand("verify", "Check every hot and archived file");
  verify->add_option("--dir", dir, "Persistence directory")->envname("STRONGBOX_DIR");
  verify->add_option("--archive-dir", archive_dir, "Archive directory")
      ->envname("STRONGBOX_ARCHIVE_DIR");
  verify->add_flag("--no-replay", no_replay, "Skip recomputing snapshot digests by replay");

  std::string file;
  bool json = false;
  int64_t limit = 0;
  CLI::App* inspect = app.add_subcommand("inspect", "Print a file's header and records");
  inspect->add_option("file", file, "Segment or snapshot file")->required();
  inspect->add_flag("--json", json, "One JSON object per line");
  inspect->add_option("--limit", limit, "Show at most this many records");

  uint64_t to_lsn = 0;
  std::string to_time, target;
  CLI::App* restore = app.add_subcommand("restore", "Rebuild the state at an LSN or a time");
  restore->add_option("--dir", dir, "Persistence directory")->envname("STRONGBOX_DIR");
  restore->add_option("--archive-dir", archive_dir, "Archive directory")
      ->envname("STRONGBOX_ARCHIVE_DIR");
  auto* lsn_opt = restore->add_option("--to-lsn", to_lsn, "Target LSN");
  auto* time_opt = restore->add_option("--to-time", to_time, "RFC 3339 time or Unix ms");
  lsn_opt->excludes(time_opt);
  restore->add_option("--target", target, "Empty directory to write the snapshot into")->required();

  std::string rdb_in, rdb_out, export_time;
  uint64_t export_lsn = 0;
  CLI::App* import_rdb =
      app.add_subcommand("import-rdb", "Turn a Redis RDB file into a snapshot to start from");
  import_rdb->add_option("file", rdb_in, "RDB file written by Redis")->required();
  import_rdb->add_option("--dir", dir, "Empty persistence directory")->required();
  CLI::App* export_rdb =
      app.add_subcommand("export-rdb", "Write the state (newest, at an LSN or a time) as an RDB");
  export_rdb->add_option("--dir", dir, "Persistence directory")->envname("STRONGBOX_DIR");
  export_rdb->add_option("--archive-dir", archive_dir, "Archive directory")
      ->envname("STRONGBOX_ARCHIVE_DIR");
  export_rdb->add_option("--out", rdb_out, "RDB file to write")->required();
  auto* export_lsn_opt = export_rdb->add_option("--lsn", export_lsn, "Target LSN");
  export_rdb->add_option("--time", export_time, "RFC 3339 time or Unix ms")
      ->excludes(export_lsn_opt);

  int health_port = 9122;
  CLI::App* health = app.add_subcommand("healthcheck", "Probe a running snapshotter");
  health->add_option("--metrics-port", health_port, "Its --metrics-port")
      ->envname("STRONGBOX_SNAPSHOTTER_METRICS_PORT");

  CLI11_PARSE(app, argc, argv);
  if (archive_dir.empty()) archive_dir = dir + "/archived";
  if (*run) return RunDaemon(d);
  if (*verify) return RunVerify(dir, archive_dir, !no_replay);
  if (*inspect) return RunInspect(file, json, limit);
  if (*restore) {
    int64_t ms = 0;
    if (to_lsn == 0 && to_time.empty()) {
      std::fprintf(stderr, "restore: give --to-lsn N or --to-time T\n");
      return 2;
    }
    if (!to_time.empty() && !ParseTime(to_time, &ms)) {
      std::fprintf(stderr, "restore: --to-time: use RFC 3339 (2026-11-24T13:00:00Z) or Unix ms\n");
      return 2;
    }
    return RunRestore(dir, archive_dir, to_lsn, ms, target);
  }
  if (*import_rdb) return RunImportRdb(rdb_in, dir);
  if (*export_rdb) {
    int64_t ms = 0;
    if (!export_time.empty() && !ParseTime(export_time, &ms)) {
      std::fprintf(stderr, "export-rdb: --time: use RFC 3339 (2026-11-24T13:00:00Z) or Unix ms\n");
      return 2;
    }
    return RunExportRdb(dir, archive_dir, export_lsn, ms, rdb_out);
  }
  if (*health) return strongbox::metrics::RunHealthcheck("127.0.0.1", health_port);
  return 2;
}
