// Process-wide metrics: counters, gauges and histograms updated lock-free from the hot path
// and rendered in the Prometheus text exposition format by the HTTP thread.
// Registration happens at start-up (takes a mutex); updates are single atomic operations.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/io/file_system.h"

namespace strongbox::metrics {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative histogram with fixed upper bounds (the +Inf bucket is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Snapshot for rendering: per-bucket (non-cumulative) counts, +Inf last.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // size upper_bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Exponential bounds in seconds from 50 us to ~3.3 s: fits fsync and command latencies.
std::vector<double> LatencyBucketsSeconds();

class Registry {
 public:
  // `labels` is an optional pre-rendered label set without braces, e.g. `volume="hot"`.
  // Names must be valid Prometheus names; the same name may be registered with several label
  // sets (they are rendered under one HELP/TYPE header).
  Counter& AddCounter(std::string name, std::string help, std::string labels = "");
  Gauge& AddGauge(std::string name, std::string help, std::string labels = "");
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> upper_bounds,
                          std::string labels = "");
  // Evaluated on every scrape, on the HTTP thread: `fn` must be thread-safe.
  void AddGaugeFunction(std::string name, std::string help, std::function<double()> fn,
                        std::string labels = "");

  std::string RenderPrometheus() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram, kGaugeFunction };
  struct Entry {
    Kind kind;
    std::string name;
    std::string help;
    std::string labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> fn;
  };
  Entry& Add(Kind kind, std::string name, std::string help, std::string labels);

  mutable std::mutex mu_;
  std::deque<Entry> entries_;  // deque: references stay valid while registering more
};

// Registers `<prefix>_volume_free_bytes{volume="<label>"}` and `..._total_bytes` read through
// the file seam's Space(path) at scrape time (NaN when the path cannot be read). `fs` must
// outlive the registry's scrapes.
void AddVolumeGauges(Registry& registry, io::FileSystem& fs, std::string_view prefix,
                     std::string_view label, std::string path);

}  // namespace strongbox::metrics
