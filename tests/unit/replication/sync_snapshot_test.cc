// The full resync's snapshot written by a forked child: it holds the state as it was at the
// fork, whatever the parent changes while the child writes, and the parent learns the outcome
// by polling.
#include "engine/replication/sync_snapshot.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/format/file_names.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"

using namespace strongbox;
using engine::replication::SyncSnapshot;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/var/tmp/sb-sync-snapshot-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void Set(state::State& s, std::string_view key, std::string_view value) {
  std::string_view argv[] = {"SET", key, value};
  REQUIRE(state::ApplyOp(s, 0, argv).ok());
}

SyncSnapshot::Outcome WaitForChild(SyncSnapshot& sync) {
  SyncSnapshot::Outcome outcome;
  while ((outcome = sync.Poll()) == SyncSnapshot::Outcome::kRunning) {
  }
  return outcome;
}

}  // namespace

TEST_CASE("the child writes the state as it was at the fork") {
  TempDir dir;
  io::FileSystem& fs = io::DefaultFileSystem();
  format::DatasetId dataset{3};
  state::State live;
  for (int i = 0; i < 1000; ++i) Set(live, "k" + std::to_string(i), "before");
  SyncSnapshot sync(fs, dir.path + "/sync");
  CHECK(sync.Poll() == SyncSnapshot::Outcome::kIdle);
  REQUIRE(sync.Start(live, dataset, 42, 1).ok());
  CHECK(sync.running());
  CHECK(sync.path() == dir.path + "/sync/" + format::SnapshotName(42));
  REQUIRE(sync.Start(live, dataset, 50, 1).ok());  // one child at a time: the same snapshot
  CHECK(sync.lsn() == 42);
  for (int i = 0; i < 1000; ++i) Set(live, "k" + std::to_string(i), "after");
  Set(live, "new", "x");
  REQUIRE(WaitForChild(sync) == SyncSnapshot::Outcome::kWritten);
  CHECK_FALSE(sync.running());

  state::State loaded;
  auto info = state::LoadSnapshot(fs, sync.path(), dataset, &loaded);
  REQUIRE(info.ok());
  CHECK(info->lsn == 42);
  CHECK(info->entry_count == 1000);
  const state::Entry* e = loaded.db(0).Find("k7", 0);
  REQUIRE(e != nullptr);
  CHECK(e->str() == std::optional<std::string_view>("before"));
}

TEST_CASE("a child that cannot write reports a failure") {
  TempDir dir;
  std::string file = dir.path + "/not-a-directory";
  REQUIRE(::close(::creat(file.c_str(), 0644)) == 0);
  SyncSnapshot sync(io::DefaultFileSystem(), file + "/sync");
  state::State live;
  Set(live, "k", "v");
  absl::Status s = sync.Start(live, format::DatasetId{3}, 1, 1);
  if (s.ok()) CHECK(WaitForChild(sync) == SyncSnapshot::Outcome::kFailed);
}
