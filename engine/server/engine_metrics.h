// The engine's Prometheus metrics: registered once, gauges refreshed from the log and the
// connection counts once per loop turn.
#pragma once

#include <cstdint>
#include <string>

#include "common/metrics/registry.h"
#include "engine/durability/durable_log.h"

namespace strongbox::engine {

// Counters the server keeps itself (INFO stats and /metrics both read them).
struct ServerCounters {
  uint64_t commands_processed = 0;
  uint64_t connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;      // maxmemory evictions
  uint64_t slowlog_entries = 0;   // ever added to the slow log
  uint64_t net_input_bytes = 0;   // received from clients
  uint64_t net_output_bytes = 0;  // sent to clients
  uint64_t reads_processed = 0;   // receive completions
  uint64_t writes_processed = 0;  // send completions
  // CONFIG RESETSTAT: what Redis zeroes (the slow log's count is the slow log's).
  void ResetStats() {
    uint64_t slowlog = slowlog_entries;
    *this = ServerCounters{};
    slowlog_entries = slowlog;
  }
};

class EngineMetrics {
 public:
  EngineMetrics(metrics::Registry& registry, io::FileSystem& fs, const std::string& dir);

  // Refreshes gauges and advances counters to the current totals.
  void Update(const DurableLog& log, const ServerCounters& counters, size_t clients,
              size_t clients_waiting_durability);

  metrics::Histogram& fsync_seconds() { return *fsync_seconds_; }
  metrics::Histogram& batch_records() { return *batch_records_; }
  metrics::Histogram& rotation_seconds() { return *rotation_seconds_; }
  metrics::Histogram& loop_turn_seconds() { return *loop_turn_seconds_; }

 private:
  metrics::Gauge* lsn_assigned_;
  metrics::Gauge* lsn_durable_;
  metrics::Gauge* lsn_sealed_;
  metrics::Gauge* read_only_;
  metrics::Gauge* clients_;
  metrics::Gauge* held_replies_;
  metrics::Counter* log_bytes_;
  metrics::Counter* log_records_;
  metrics::Counter* segments_sealed_;
  metrics::Counter* commands_;
  metrics::Counter* expired_;
  metrics::Counter* slowlog_entries_;
  metrics::Histogram* fsync_seconds_;
  metrics::Histogram* batch_records_;
  metrics::Histogram* rotation_seconds_;
  metrics::Histogram* loop_turn_seconds_;
  // Totals already added to the counters above.
  uint64_t reported_bytes_ = 0, reported_records_ = 0, reported_sealed_ = 0;
  uint64_t reported_commands_ = 0, reported_expired_ = 0, reported_slowlog_ = 0;
};

}  // namespace strongbox::engine
