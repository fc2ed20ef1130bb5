// The segment file pipeline (see segment_pipeline.h).
#include "engine/durability/segment_pipeline.h"

#include <fcntl.h>
#include <linux/ioprio.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace strongbox::engine {
namespace {

constexpr char kPreparedPrefix[] = "cmdlog-prepared-";
constexpr char kPreparedSuffix[] = ".tmp";
constexpr size_t kZeroChunkBytes = 1 << 20;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsSpaceProblem(const absl::Status& s) {
  return absl::IsResourceExhausted(s) || absl::IsPermissionDenied(s);
}

// The preparing thread yields to the loop: lowest best-effort I/O priority and a lower CPU
// priority, so zero-filling never competes with the fdatasyncs clients wait for.
void LowerThreadPriority() {
  pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  (void)::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7));
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10);
}

}  // namespace

bool SegmentPipeline::IsPreparedFileName(std::string_view name) {
  return name.starts_with(kPreparedPrefix) && name.ends_with(kPreparedSuffix);
}

SegmentPipeline::SegmentPipeline(io::FileSystem& fs, Options options)
    : fs_(fs), options_(std::move(options)) {
  RemoveLeftovers();
  if (!options_.background) return;
  Store(PrepareOne(), SteadyMs());
  // The thread must not take the process's signals (the loop reads them from a signalfd):
  // it starts with every signal blocked.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  thread_ = std::thread([this] { ThreadMain(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

SegmentPipeline::~SegmentPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ready_ != nullptr) {
    std::string path = ready_->path();
    ready_.reset();
    (void)fs_.Unlink(path);
  }
}

void SegmentPipeline::RemoveLeftovers() {
  auto names = fs_.ListDir(options_.dir);
  if (!names.ok()) return;  // the directory problem surfaces when a file is prepared
  for (const std::string& name : *names) {
    if (IsPreparedFileName(name)) (void)fs_.Unlink(absl::StrCat(options_.dir, "/", name));
  }
}

SegmentPipeline::Prepared SegmentPipeline::PrepareOne() {
  std::string path = absl::StrCat(options_.dir, "/", kPreparedPrefix, sequence_++, kPreparedSuffix);
  auto file = fs_.Open(path, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return {nullptr, file.status()};
  // fallocate first: a full volume fails here at once, and the blocks come out contiguous.
  absl::Status s = (*file)->Preallocate(options_.file_bytes);
  static const std::string* zeros = new std::string(kZeroChunkBytes, '\0');
  for (uint64_t off = 0; s.ok() && off < options_.file_bytes; off += kZeroChunkBytes) {
    uint64_t n = std::min<uint64_t>(kZeroChunkBytes, options_.file_bytes - off);
    s = (*file)->WriteAt(off, std::string_view(*zeros).substr(0, n));
  }
  if (s.ok()) s = (*file)->Fdatasync();
  if (s.ok() && options_.drop_page_cache && (*file)->fd() >= 0) {
    // Advice only: a failure costs speed, never data (the pages are clean after the sync).
    (void)::posix_fadvise((*file)->fd(), 0, 0, POSIX_FADV_DONTNEED);
  }
  if (!s.ok()) {
    file->reset();
    (void)fs_.Unlink(path);  // a half-prepared file would only take space
    return {nullptr, s};
  }
  return {std::move(*file), absl::OkStatus()};
}

void SegmentPipeline::Store(Prepared p, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (p.error.ok()) {
    ready_ = std::move(p.file);
    failure_.clear();
  } else if (IsSpaceProblem(p.error)) {
    failure_ = std::string(p.error.message());
    next_try_ms_ = now_ms + options_.retry_ms;
  } else {
    hard_error_ = p.error;
  }
}

void SegmentPipeline::ThreadMain() {
  LowerThreadPriority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto idle = [this] { return stop_ || (ready_ == nullptr && hard_error_.ok()); };
    wake_.wait(lock, idle);
    if (stop_) return;
    int64_t wait_ms = next_try_ms_ - SteadyMs();
    if (wait_ms > 0) {  // after a failure: retry later (or stop)
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stop_; });
      continue;
    }
    lock.unlock();
    Prepared p = PrepareOne();
    Store(std::move(p), SteadyMs());
    wake_.notify_all();  // a rotation may be waiting for this file
    lock.lock();
  }
}

void SegmentPipeline::Tick(int64_t now_ms) {
  if (options_.background) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ready_ != nullptr || !hard_error_.ok() || now_ms < next_try_ms_) return;
  }
  Store(PrepareOne(), now_ms);
}

absl::StatusOr<std::unique_ptr<io::File>> SegmentPipeline::Take(bool wait) {
  std::unique_ptr<io::File> file;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait && options_.background) {
      wake_.wait(lock, [this] {
        return ready_ != nullptr || !failure_.empty() || !hard_error_.ok() || stop_;
      });
    }
    if (!hard_error_.ok()) return hard_error_;
    file = std::move(ready_);
  }
  if (file != nullptr) wake_.notify_all();
  return file;
}

std::string SegmentPipeline::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

}  // namespace strongbox::engine
