// SyncSnapshot: fork, write in the child, reap in the parent.
#include "engine/replication/sync_snapshot.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/format/file_names.h"
#include "common/io/file_system.h"
#include "common/state/snapshot.h"

namespace strongbox::engine::replication {

SyncSnapshot::~SyncSnapshot() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

absl::Status SyncSnapshot::Start(const state::State& state, const format::DatasetId& dataset,
                                 uint64_t lsn, int64_t now_ms) {
  if (pid_ > 0) return absl::OkStatus();
  if (auto s = fs_.CreateDir(dir_); !s.ok()) return s;
  pid_t pid = ::fork();
  if (pid < 0) return io::ErrnoStatus(errno, "fork", dir_);
  if (pid == 0) {
    // The child: the keyspace as it was at the fork, nothing else touched (no ring, no
    // connections, no exit handlers). It must not outlive the engine.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1) ::_exit(2);
    auto info = state::WriteSnapshot(fs_, dir_, dataset, lsn, now_ms, state, {});
    ::_exit(info.ok() ? 0 : 1);
  }
  pid_ = pid;
  lsn_ = lsn;
  path_ = absl::StrCat(dir_, "/", format::SnapshotName(lsn));
  return absl::OkStatus();
}

SyncSnapshot::Outcome SyncSnapshot::Poll() {
  if (pid_ <= 0) return Outcome::kIdle;
  int status = 0;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == 0) return Outcome::kRunning;
  pid_ = -1;
  if (done < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return Outcome::kFailed;
  // Older ones go (a replica still reading one keeps its open file until it is done).
  if (auto names = fs_.ListDir(dir_); names.ok()) {
    for (const std::string& n : *names) {
      if (dir_ + "/" + n != path_) (void)fs_.Unlink(dir_ + "/" + n);
    }
  }
  return Outcome::kWritten;
}

}  // namespace strongbox::engine::replication
