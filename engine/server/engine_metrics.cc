// Registration and refresh of the engine's metrics (see engine_metrics.h).
#include "engine/server/engine_metrics.h"

namespace strongbox::engine {

EngineMetrics::EngineMetrics(metrics::Registry& r, io::FileSystem& fs, const std::string& dir) {
  constexpr char kLsn[] = "strongbox_engine_lsn";
  constexpr char kLsnHelp[] = "LSNs of the engine.";
  lsn_assigned_ = &r.AddGauge(kLsn, kLsnHelp, "kind=\"assigned\"");
  lsn_durable_ = &r.AddGauge(kLsn, kLsnHelp, "kind=\"durable\"");
  lsn_sealed_ = &r.AddGauge(kLsn, kLsnHelp, "kind=\"sealed\"");
  read_only_ = &r.AddGauge("strongbox_engine_read_only",
                           "1 while writes are refused (volume full or read-only).");
  clients_ = &r.AddGauge("strongbox_engine_clients_connected", "Connected clients.");
  held_replies_ = &r.AddGauge("strongbox_engine_clients_waiting_durability",
                              "Clients with replies waiting for fdatasync.");
  log_bytes_ = &r.AddCounter("strongbox_engine_log_bytes_written_total",
                             "Command-log bytes written and synced.");
  log_records_ = &r.AddCounter("strongbox_engine_log_records_written_total",
                               "Command-log records written and synced.");
  segments_sealed_ = &r.AddCounter("strongbox_engine_segments_sealed_total", "Segments sealed.");
  commands_ = &r.AddCounter("strongbox_engine_commands_processed_total", "Commands executed.");
  expired_ = &r.AddCounter("strongbox_engine_expired_keys_total", "Keys removed by active expiry.");
  slowlog_entries_ = &r.AddCounter("strongbox_slowlog_entries_total",
                                   "Commands added to the slow log (SLOWLOG), RESET or not.");
  fsync_seconds_ =
      &r.AddHistogram("strongbox_engine_fsync_seconds", "Latency of one batch write + fdatasync.",
                      metrics::LatencyBucketsSeconds());
  rotation_seconds_ =
      &r.AddHistogram("strongbox_engine_rotation_seconds",
                      "Time the event loop spends sealing a segment and opening the next one.",
                      metrics::LatencyBucketsSeconds());
  // One observation per event-loop turn, without the time spent waiting for completions: a
  // stall of the loop (a slow command, a rotation) shows in the high buckets.
  loop_turn_seconds_ = &r.AddHistogram("strongbox_loop_turn_seconds",
                                       "Time the event loop spends on one turn's work.",
                                       {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3,
                                        25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1.0});
  batch_records_ = &r.AddHistogram("strongbox_engine_group_commit_records",
                                   "Records per write+fdatasync (group commit).",
                                   {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  metrics::AddVolumeGauges(r, fs, "strongbox_engine", "persistence", dir);
}

namespace {

void Advance(metrics::Counter& counter, uint64_t total, uint64_t* reported) {
  // A total below what was reported was reset (CONFIG RESETSTAT): the Prometheus counter stays
  // monotonic and goes on from there.
  if (total < *reported) *reported = 0;
  counter.Inc(total - *reported);
  *reported = total;
}

}  // namespace

void EngineMetrics::Update(const DurableLog& log, const ServerCounters& counters, size_t clients,
                           size_t clients_waiting_durability) {
  lsn_assigned_->Set(static_cast<double>(log.lsn_assigned()));
  lsn_durable_->Set(static_cast<double>(log.lsn_durable()));
  lsn_sealed_->Set(static_cast<double>(log.lsn_sealed()));
  read_only_->Set(log.accepting_writes() ? 0 : 1);
  clients_->Set(static_cast<double>(clients));
  held_replies_->Set(static_cast<double>(clients_waiting_durability));
  Advance(*log_bytes_, log.bytes_written(), &reported_bytes_);
  Advance(*log_records_, log.records_written(), &reported_records_);
  Advance(*segments_sealed_, log.segments_sealed(), &reported_sealed_);
  Advance(*commands_, counters.commands_processed, &reported_commands_);
  Advance(*expired_, counters.expired_keys, &reported_expired_);
  Advance(*slowlog_entries_, counters.slowlog_entries, &reported_slowlog_);
}

}  // namespace strongbox::engine
