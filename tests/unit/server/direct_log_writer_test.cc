// The O_DIRECT log writer produces the same file as buffered writes of the same batches: the
// partial last block of a batch is carried into the next one, the padding is zeros, and a new
// segment (or a batch that does not follow the last one) reads its partial block back first.
// Runs on a real file in the build's temporary directory; skipped where O_DIRECT is refused.
#include "engine/server/direct_log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <string>

namespace sb = strongbox;
using sb::engine::DirectLogWriter;

namespace {

constexpr size_t kFileBytes = 64 << 10;
constexpr uint64_t kHeaderBytes = 64;

// A zero-filled file (a prepared segment) with a header at offset 0; removed at the end.
struct SegmentFile {
  std::string path;
  explicit SegmentFile(const std::string& name) {
    char dir[] = "/var/tmp/sb-direct-XXXXXX";  // /tmp may be tmpfs; /var/tmp rarely is
    REQUIRE(::mkdtemp(dir) != nullptr);
    path = std::string(dir) + "/" + name;
    std::string bytes(kFileBytes, '\0');
    bytes.replace(0, kHeaderBytes, std::string(kHeaderBytes, 'H'));
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    REQUIRE(::fdatasync(fd) == 0);
    ::close(fd);
  }
  ~SegmentFile() {
    ::unlink(path.c_str());
    ::rmdir(path.substr(0, path.rfind('/')).c_str());
  }
  std::string Read() const {
    std::string out(kFileBytes, '\0');
    int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pread(fd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    ::close(fd);
    return out;
  }
};

// Writes what Prepare returned, as the ring would.
void Submit(const DirectLogWriter::Write& w) {
  REQUIRE(w.offset % DirectLogWriter::kBlockBytes == 0);
  REQUIRE(w.bytes % DirectLogWriter::kBlockBytes == 0);
  REQUIRE(reinterpret_cast<uintptr_t>(w.data) % DirectLogWriter::kBlockBytes == 0);
  REQUIRE(::pwrite(w.fd, w.data, w.bytes, static_cast<off_t>(w.offset)) ==
          static_cast<ssize_t>(w.bytes));
}

std::string Batch(std::mt19937& rng, size_t max_bytes) {
  std::string b(1 + rng() % max_bytes, '\0');
  for (char& c : b) c = static_cast<char>('a' + rng() % 26);
  return b;
}

}  // namespace

TEST_CASE("O_DIRECT batches leave the file as buffered writes of them would") {
  SegmentFile seg("a.active");
  DirectLogWriter writer;
  std::string expected = seg.Read();
  std::mt19937 rng(7);
  uint64_t offset = kHeaderBytes;
  for (int i = 0; i < 60; ++i) {
    // Small batches (within a block), block-crossing ones, and a few of several blocks.
    std::string batch = Batch(rng, i % 10 == 9 ? 9000 : 700);
    if (offset + batch.size() > kFileBytes - DirectLogWriter::kBlockBytes) break;
    auto w = writer.Prepare(seg.path, offset, batch);
    if (!w.ok() && absl::IsInvalidArgument(w.status())) {
      WARN("O_DIRECT refused here: " << w.status());
      return;
    }
    REQUIRE(w.ok());
    Submit(*w);
    expected.replace(offset, batch.size(), batch);
    offset += batch.size();
    INFO("batch " << i << " ends at " << offset);
    REQUIRE(seg.Read() == expected);
  }
  CHECK(offset > 3 * DirectLogWriter::kBlockBytes);
}

TEST_CASE("a new segment or a batch elsewhere reads its partial block back first") {
  SegmentFile first("a.active");
  SegmentFile second("b.active");
  DirectLogWriter writer;
  auto w = writer.Prepare(first.path, kHeaderBytes, "one");
  if (!w.ok() && absl::IsInvalidArgument(w.status())) {
    WARN("O_DIRECT refused here: " << w.status());
    return;
  }
  REQUIRE(w.ok());
  Submit(*w);
  uint64_t generation = writer.segment_generation();
  // Another segment: its header must survive the first block's rewrite.
  w = writer.Prepare(second.path, kHeaderBytes, "two");
  REQUIRE(w.ok());
  Submit(*w);
  CHECK(writer.segment_generation() != generation);
  std::string expected_second(kFileBytes, '\0');
  expected_second.replace(0, kHeaderBytes, std::string(kHeaderBytes, 'H'));
  expected_second.replace(kHeaderBytes, 3, "two");
  CHECK(second.Read() == expected_second);
  // Not where the last batch ended (bytes written by someone else in between): read back.
  int fd = ::open(second.path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, "xyz", 3, kHeaderBytes + 3) == 3);
  REQUIRE(::fdatasync(fd) == 0);
  ::close(fd);
  w = writer.Prepare(second.path, kHeaderBytes + 6, "end");
  REQUIRE(w.ok());
  Submit(*w);
  expected_second.replace(kHeaderBytes + 3, 6, "xyzend");
  CHECK(second.Read() == expected_second);
}
