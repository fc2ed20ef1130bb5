// The snapshotter's generation guard: a state built from a log that was replaced meanwhile is
// never published, and a publication waits for a replacement in progress to end.
#include "snapshotter/generation_guard.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "common/format/replaced_logs.h"
#include "common/io/fault_file_system.h"

using namespace strongbox;
using snapshotter::GenerationGuard;

namespace {

constexpr char kDir[] = "/data";

absl::Status Adopt(GenerationGuard& g) {
  return g.Adopt([] { return absl::OkStatus(); });
}

}  // namespace

TEST_CASE("a guard publishes only while the adopted log is the directory's") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  GenerationGuard guard(fs, kDir);
  REQUIRE(Adopt(guard).ok());
  CHECK(guard.adopted().empty());
  int published = 0;
  auto publish = [&] {
    ++published;
    return absl::OkStatus();
  };
  REQUIRE(guard.PublishIfCurrent(publish).ok());
  CHECK(published == 1);

  REQUIRE(fs.CreateDir("/data/replaced-1000").ok());  // a full resync replaced the log
  auto changed = guard.Changed();
  REQUIRE(changed.ok());
  CHECK(*changed);
  CHECK(absl::IsAborted(guard.PublishIfCurrent(publish)));
  CHECK(published == 1);

  REQUIRE(Adopt(guard).ok());  // the daemon started over from the new log
  CHECK(guard.adopted() == "replaced-1000");
  REQUIRE(guard.PublishIfCurrent(publish).ok());
  CHECK(published == 2);
  REQUIRE(fs.CreateDir("/data/replaced-999").ok());  // an older name is no new generation
  changed = guard.Changed();
  REQUIRE(changed.ok());
  CHECK_FALSE(*changed);
}

TEST_CASE("a forgotten generation counts as changed until adopted again") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  GenerationGuard guard(fs, kDir);
  REQUIRE(Adopt(guard).ok());
  guard.Forget();
  auto changed = guard.Changed();
  REQUIRE(changed.ok());
  CHECK(*changed);
}

TEST_CASE("adopting and publishing wait while the engine holds replace.lock") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  GenerationGuard guard(fs, kDir);
  REQUIRE(Adopt(guard).ok());
  auto held = format::TryLockReplace(fs, kDir);
  REQUIRE(held.ok());
  std::atomic<bool> ran{false};
  std::thread snapshotter([&] {
    absl::Status s = guard.PublishIfCurrent([&] {
      ran = true;
      return absl::OkStatus();
    });
    CHECK(absl::IsAborted(s));  // the engine replaced the log before it let go
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(ran.load());  // never while the lock is held, however long the wait
  REQUIRE(fs.CreateDir("/data/replaced-1000").ok());
  held->reset();
  snapshotter.join();
  CHECK_FALSE(ran.load());
}
