// The decompression worker of ZstdFramePrefetcher (see zstd_prefetch.h).
#include "common/format/zstd_prefetch.h"

#include <utility>

namespace strongbox::format {

ZstdFramePrefetcher::ZstdFramePrefetcher(io::File& file, uint64_t file_bytes,
                                         std::string error_prefix, size_t chunks_ahead)
    : reader_(file, file_bytes, std::move(error_prefix)),
      chunks_ahead_(chunks_ahead),
      worker_([this] { Run(); }) {}

ZstdFramePrefetcher::~ZstdFramePrefetcher() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void ZstdFramePrefetcher::Run() {
  for (;;) {
    std::string chunk;
    absl::Status s = reader_.ReadMore(&chunk);
    bool done = s.ok() && reader_.frame_done();
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return stop_ || chunks_.size() < chunks_ahead_; });
    if (stop_) return;
    raw_bytes_ += chunk.size();
    if (!chunk.empty()) chunks_.push_back(std::move(chunk));
    if (!s.ok()) status_ = s;
    finished_ = done || !s.ok();
    cv_.notify_all();
    if (finished_) return;
  }
}

absl::Status ZstdFramePrefetcher::ReadMore(std::string* out) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !chunks_.empty() || finished_; });
  if (chunks_.empty()) {
    // Only reached past the end (callers check frame_done() first) or after an error.
    return status_.ok() ? absl::DataLossError("read past the end of the zstd frame") : status_;
  }
  out->append(chunks_.front());
  chunks_.pop_front();
  cv_.notify_all();
  return absl::OkStatus();
}

bool ZstdFramePrefetcher::frame_done() {
  std::lock_guard<std::mutex> l(mu_);
  return finished_ && status_.ok() && chunks_.empty();
}

uint64_t ZstdFramePrefetcher::raw_bytes() {
  std::lock_guard<std::mutex> l(mu_);
  return raw_bytes_;
}

}  // namespace strongbox::format
