// The file seam's locks and file times behave the same on the real file system and on the
// fault-injecting one, so code that locks a directory is tested through either.
#include "common/io/file_system.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "common/io/fault_file_system.h"

namespace io = strongbox::io;

namespace {

void CheckExclusiveLock(io::FileSystem& fs, const std::string& path) {
  auto first = fs.LockExclusive(path);
  REQUIRE(first.ok());
  auto second = fs.LockExclusive(path);
  CHECK(absl::IsFailedPrecondition(second.status()));
  CHECK(fs.Exists(path).value_or(false));
  first->reset();  // released with the holder, as when the process dies
  auto third = fs.LockExclusive(path);
  CHECK(third.ok());
}

}  // namespace

TEST_CASE("an exclusive lock keeps a second holder out until released (posix)") {
  char tmpl[] = "/tmp/strongbox-io-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  io::FileSystem& fs = io::DefaultFileSystem();
  CheckExclusiveLock(fs, dir + "/engine.lock");
  CHECK(fs.LockExclusive(dir + "/missing-dir/engine.lock").status().code() ==
        absl::StatusCode::kNotFound);
  REQUIRE(fs.Unlink(dir + "/engine.lock").ok());
  REQUIRE(::rmdir(dir.c_str()) == 0);
}

TEST_CASE("an exclusive lock keeps a second holder out until released (fault fs)") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/data").ok());
  CheckExclusiveLock(fs, "/data/engine.lock");
}

TEST_CASE("modification times come through the seam") {
  io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/data").ok());
  fs.SetClockMs(1'000);
  auto file = fs.Open("/data/a", io::FileSystem::OpenMode::kCreateExclusive);
  REQUIRE(file.ok());
  REQUIRE((*file)->WriteAt(0, "x").ok());
  fs.SetClockMs(5'000);
  CHECK(fs.ModifiedTimeMs("/data/a").value() == 1'000);
  REQUIRE((*file)->WriteAt(1, "y").ok());
  CHECK(fs.ModifiedTimeMs("/data/a").value() == 5'000);
  CHECK(absl::IsNotFound(fs.ModifiedTimeMs("/data/b").status()));

  char tmpl[] = "/tmp/strongbox-io-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::string path = std::string(tmpl) + "/f";
  io::FileSystem& posix = io::DefaultFileSystem();
  auto real = posix.Open(path, io::FileSystem::OpenMode::kCreateExclusive);
  REQUIRE(real.ok());
  auto mtime = posix.ModifiedTimeMs(path);
  REQUIRE(mtime.ok());
  CHECK(*mtime > 1'600'000'000'000);  // a plausible wall-clock time in ms
  REQUIRE(posix.Unlink(path).ok());
  REQUIRE(::rmdir(tmpl) == 0);
}
