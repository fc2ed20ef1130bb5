// The worker pool and in-order inserter of ParallelEntryLoader (see parallel_load.h).
#include "common/state/parallel_load.h"

#include <xxhash.h>

#include <utility>

#include "common/format/record_codec.h"

namespace strongbox::state {
ParallelEntryLoader::ParallelEntryLoader(State& state, uint64_t entry_count, int workers)
    : state_(state), sizer_(state, entry_count), window_(static_cast<size_t>(workers) * 2 + 2) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

ParallelEntryLoader::~ParallelEntryLoader() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ParallelEntryLoader::Work() {
  for (;;) {
    Chunk* chunk = nullptr;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait(l, [&] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      chunk = todo_.front();
      todo_.pop_front();
    }
    Decode(*chunk);
    {
      std::lock_guard<std::mutex> l(mu_);
      chunk->decoded = true;
    }
    done_cv_.notify_all();
  }
}

void ParallelEntryLoader::Decode(Chunk& chunk) {
  std::string_view rest = chunk.bytes;
  while (!rest.empty()) {
    uint32_t len = format::GetU32(rest.data());
    std::string_view entry = rest.substr(4, len);
    rest.remove_prefix(4 + len);
    chunk.digest += XXH3_64bits(entry.data(), entry.size());
    chunk.status = DecodeEntry(entry, &chunk.entries.emplace_back());
    if (!chunk.status.ok()) break;
  }
  chunk.bytes = std::string();  // the nodes hold their own copies
}

absl::Status ParallelEntryLoader::Submit(std::string chunk) {
  while (order_.size() >= window_) {
    if (auto s = InsertOldest(); !s.ok()) return s;
  }
  auto c = std::make_unique<Chunk>();
  c->bytes = std::move(chunk);
  {
    std::lock_guard<std::mutex> l(mu_);
    todo_.push_back(c.get());
  }
  order_.push_back(std::move(c));
  work_cv_.notify_one();
  return absl::OkStatus();
}

absl::Status ParallelEntryLoader::InsertOldest() {
  Chunk& c = *order_.front();
  {
    std::unique_lock<std::mutex> l(mu_);
    done_cv_.wait(l, [&] { return c.decoded; });
  }
  absl::Status status = InsertBatch(state_, sizer_, c.entries, c.status);
  digest_ += c.digest;
  order_.pop_front();
  return status;
}

absl::Status ParallelEntryLoader::Finish(uint64_t* digest) {
  while (!order_.empty()) {
    if (auto s = InsertOldest(); !s.ok()) return s;
  }
  sizer_.Finish();
  *digest = digest_;
  return absl::OkStatus();
}

}  // namespace strongbox::state
