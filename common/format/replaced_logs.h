// A full resync on a replica replaces its log with another one (replica_install.h): the old
// files go to replaced-<ms>/ and the new history's snapshot and segments take their place, while
// the replica's snapshotter may be replaying, snapshotting or archiving the old ones. The two
// processes meet through the directory:
//   - the newest replaced-<ms> directory names the log the files belong to (its "generation");
//     the snapshotter reads it before it reads any file and starts over when it changes;
//   - replace.lock (flock) is held by the engine while it replaces the files, and by the
//     snapshotter while it publishes a snapshot or moves a file to the archive after checking
//     that the generation it worked from is still the current one. So no file of the old log is
//     published into the new one.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/io/file_system.h"

namespace strongbox::format {

inline constexpr char kReplaceLockFile[] = "replace.lock";
inline constexpr char kReplacedPrefix[] = "replaced-";

// The name of the newest replaced-<ms> directory in `dir` ("" if there is none).
absl::StatusOr<std::string> CurrentLogGeneration(io::FileSystem& fs, const std::string& dir);

// Moves the names of `from` that `pick` selects into `to`, created only if there are some
// (dataset.id last: until it goes, `from` still names its data set); fsyncs both directories.
// *moved_to is `to`, or "" when nothing was moved.
absl::Status MoveFilesAside(io::FileSystem& fs, const std::string& from, const std::string& to,
                            bool (*pick)(const std::string&), std::string* moved_to);

// The names of an archive's log: archived segments, sealed segments, snapshots, partial copies.
bool IsArchivedLogFile(const std::string& name);

// The archive says which generation its files belong to, in <archive>/log-generation: the
// snapshotter sets the archive's files aside (into <archive>/<generation>/) when the hot log was
// replaced without them, e.g. by an engine that does not mount the archive volume. A missing
// marker is taken to mean the current generation (archives from before the marker existed).
absl::Status FollowArchiveGeneration(io::FileSystem& fs, const std::string& archive_dir,
                                     const std::string& generation, std::string* moved_to);

// replace.lock taken without waiting: FailedPrecondition while the other process holds it.
absl::StatusOr<std::unique_ptr<io::FileLock>> TryLockReplace(io::FileSystem& fs,
                                                             const std::string& dir);

}  // namespace strongbox::format
