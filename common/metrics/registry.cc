// Prometheus text rendering and the histogram/volume helpers of registry.h.
#include "common/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace strongbox::metrics {

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> LatencyBucketsSeconds() {
  std::vector<double> bounds;
  for (double b = 50e-6; b < 4.0; b *= 2) bounds.push_back(b);
  return bounds;
}

Registry::Entry& Registry::Add(Kind kind, std::string name, std::string help, std::string labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_.emplace_back();
  e.kind = kind;
  e.name = std::move(name);
  e.help = std::move(help);
  e.labels = std::move(labels);
  return e;
}

Counter& Registry::AddCounter(std::string name, std::string help, std::string labels) {
  Entry& e = Add(Kind::kCounter, std::move(name), std::move(help), std::move(labels));
  e.counter = std::make_unique<Counter>();
  return *e.counter;
}

Gauge& Registry::AddGauge(std::string name, std::string help, std::string labels) {
  Entry& e = Add(Kind::kGauge, std::move(name), std::move(help), std::move(labels));
  e.gauge = std::make_unique<Gauge>();
  return *e.gauge;
}

Histogram& Registry::AddHistogram(std::string name, std::string help,
                                  std::vector<double> upper_bounds, std::string labels) {
  Entry& e = Add(Kind::kHistogram, std::move(name), std::move(help), std::move(labels));
  e.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *e.histogram;
}

void Registry::AddGaugeFunction(std::string name, std::string help, std::function<double()> fn,
                                std::string labels) {
  Entry& e = Add(Kind::kGaugeFunction, std::move(name), std::move(help), std::move(labels));
  e.fn = std::move(fn);
}

namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.15g", v);
}

std::string Braced(const std::string& labels, std::string_view extra = "") {
  if (labels.empty() && extra.empty()) return "";
  if (labels.empty()) return absl::StrCat("{", std::string(extra), "}");
  if (extra.empty()) return absl::StrCat("{", labels, "}");
  return absl::StrCat("{", labels, ",", std::string(extra), "}");
}

const char* TypeName(int kind) {
  switch (kind) {
    case 0:
      return "counter";
    case 2:
      return "histogram";
    default:
      return "gauge";
  }
}

}  // namespace

std::string Registry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Group label variants of one name under a single HELP/TYPE header, in registration order.
  std::vector<const Entry*> order;
  std::map<std::string, std::vector<const Entry*>> by_name;
  for (const Entry& e : entries_) {
    auto& list = by_name[e.name];
    if (list.empty()) order.push_back(&e);
    list.push_back(&e);
  }
  std::string out;
  for (const Entry* first : order) {
    absl::StrAppend(&out, "# HELP ", first->name, " ", first->help, "\n# TYPE ", first->name, " ",
                    TypeName(static_cast<int>(first->kind)), "\n");
    for (const Entry* e : by_name[first->name]) {
      switch (e->kind) {
        case Kind::kCounter:
          absl::StrAppend(&out, e->name, Braced(e->labels), " ", e->counter->value(), "\n");
          break;
        case Kind::kGauge:
          absl::StrAppend(&out, e->name, Braced(e->labels), " ", FormatValue(e->gauge->value()),
                          "\n");
          break;
        case Kind::kGaugeFunction:
          absl::StrAppend(&out, e->name, Braced(e->labels), " ", FormatValue(e->fn()), "\n");
          break;
        case Kind::kHistogram: {
          const Histogram& h = *e->histogram;
          std::vector<uint64_t> counts = h.BucketCounts();
          uint64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            std::string le = i < h.upper_bounds().size() ? FormatValue(h.upper_bounds()[i])
                                                         : std::string("+Inf");
            absl::StrAppend(&out, e->name, "_bucket",
                            Braced(e->labels, absl::StrCat("le=\"", le, "\"")), " ", cumulative,
                            "\n");
          }
          absl::StrAppend(&out, e->name, "_sum", Braced(e->labels), " ", FormatValue(h.sum()), "\n",
                          e->name, "_count", Braced(e->labels), " ", cumulative, "\n");
          break;
        }
      }
    }
  }
  return out;
}

void AddVolumeGauges(Registry& registry, io::FileSystem& fs, std::string_view prefix,
                     std::string_view label, std::string path) {
  std::string labels = absl::StrCat("volume=\"", std::string(label), "\"");
  auto read = [&fs, path](bool free_bytes) {
    auto space = fs.Space(path);
    if (!space.ok()) return std::nan("");
    return static_cast<double>(free_bytes ? space->free_bytes : space->total_bytes);
  };
  registry.AddGaugeFunction(
      absl::StrCat(std::string(prefix), "_volume_free_bytes"),
      "Bytes available to the process on the volume.", [read] { return read(true); }, labels);
  registry.AddGaugeFunction(
      absl::StrCat(std::string(prefix), "_volume_total_bytes"), "Size of the volume.",
      [read] { return read(false); }, labels);
}

}  // namespace strongbox::metrics
