// Record codec, segment names, zstd frames and the segment scanner's torn-tail vs damage
// decisions.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/format/segment_reader.h"
#include "common/format/zstd_frame.h"
#include "common/io/fault_file_system.h"

namespace fmt_ = strongbox::format;
using strongbox::io::FaultFileSystem;
using strongbox::io::FileSystem;

namespace {

std::string Segment(uint64_t first, int records, std::vector<size_t>* offsets,
                    const fmt_::DatasetId& id) {
  std::string out = fmt_::EncodeSegmentHeader({fmt_::kLogFormatVersion, id, first, 7});
  fmt_::RecordBuilder b(&out);
  for (int i = 0; i < records; ++i) {
    offsets->push_back(out.size());
    b.Begin(first + static_cast<uint64_t>(i), 1000 + i);
    std::string value(static_cast<size_t>(i) * 3, 'v');
    value += std::string("\0\r\n", 3);  // binary-safe arguments
    std::string_view argv[] = {"SET", "key", value};
    b.AddOp(static_cast<uint8_t>(i % 16), argv);
    b.Finish();
  }
  return out;
}

void Put(FaultFileSystem& fs, const std::string& path, const std::string& bytes) {
  auto f = fs.Open(path, FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(0, bytes).ok());
}

}  // namespace

TEST_CASE("records round-trip with binary arguments and several ops") {
  std::string buf;
  fmt_::RecordBuilder b(&buf);
  b.Begin(42, 123456);
  std::string_view a1[] = {"SET", std::string_view("k\0y", 3), ""};
  std::string_view a2[] = {"DEL", "x", "y"};
  b.AddOp(3, a1);
  b.AddOp(15, a2);
  b.Finish();
  fmt_::RecordView r;
  REQUIRE(fmt_::DecodeRecord(buf, &r) == fmt_::DecodeResult::kOk);
  CHECK(r.lsn == 42);
  CHECK(r.timestamp_ms == 123456);
  std::vector<std::pair<int, std::vector<std::string>>> ops;
  REQUIRE(fmt_::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> argv) {
            ops.emplace_back(db, std::vector<std::string>(argv.begin(), argv.end()));
            return absl::OkStatus();
          }).ok());
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].first == 3);
  CHECK(ops[0].second[1] == std::string("k\0y", 3));
  CHECK(ops[0].second[2].empty());
  CHECK(ops[1].second == std::vector<std::string>{"DEL", "x", "y"});
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    CHECK(fmt_::DecodeRecord(std::string_view(buf).substr(0, cut), &r) ==
          fmt_::DecodeResult::kIncomplete);
  }
  for (size_t i = 0; i < buf.size(); ++i) {
    std::string flipped = buf;
    flipped[i] ^= 0x20;
    CHECK(fmt_::DecodeRecord(flipped, &r) != fmt_::DecodeResult::kOk);
  }
}

TEST_CASE("names sort like LSNs and parse back") {
  CHECK(fmt_::SealedSegmentName(1, 20) == "cmdlog-00000000000000000001-00000000000000000020.log");
  auto p = fmt_::ParseFileName(fmt_::SealedSegmentName(5, 9));
  CHECK(p.kind == fmt_::FileKind::kSealed);
  CHECK(p.lsn_first == 5);
  CHECK(p.lsn_last == 9);
  CHECK(fmt_::ParseFileName(fmt_::ActiveSegmentName(7)).kind == fmt_::FileKind::kActive);
  CHECK(fmt_::ParseFileName(fmt_::SnapshotName(7)).lsn_last == 7);
  CHECK(fmt_::ParseFileName(fmt_::ArchivedSegmentName(1, 2)).kind ==
        fmt_::FileKind::kArchivedSegment);
  CHECK(fmt_::ParseFileName("cmdlog-12.log").kind == fmt_::FileKind::kOther);
  CHECK(fmt_::ParseFileName("snapshot-x.snap.zst").kind == fmt_::FileKind::kOther);
}

TEST_CASE("a torn tail at every byte offset of the last record keeps the complete records") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  fmt_::DatasetId id{1, 2, 3};
  std::vector<size_t> offsets;
  std::string seg = Segment(1, 6, &offsets, id);
  size_t last = offsets.back();
  for (size_t cut = last; cut < seg.size(); ++cut) {
    for (bool zero_fill : {false, true}) {
      std::string bytes = seg.substr(0, cut);
      if (zero_fill) bytes += std::string(100, '\0');
      Put(fs, "/d/cmdlog-00000000000000000001.active", bytes);
      int seen = 0;
      auto scan = fmt_::ScanSegment(fs, "/d/cmdlog-00000000000000000001.active", id,
                                    [&](const fmt_::RecordView&) {
                                      ++seen;
                                      return absl::OkStatus();
                                    });
      REQUIRE(scan.ok());
      INFO("cut " << cut << " zero_fill " << zero_fill);
      CHECK(seen == 5);
      CHECK(scan->lsn_last == 5);
      CHECK(scan->valid_bytes == last);
      CHECK(scan->end == (cut == last ? fmt_::SegmentEnd::kClean : fmt_::SegmentEnd::kTornTail));
    }
  }
}

TEST_CASE("rot in the middle, a foreign data set and a bad sealed segment are damage") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  fmt_::DatasetId id{9};
  std::vector<size_t> offsets;
  std::string seg = Segment(1, 6, &offsets, id);
  std::string rotten = seg;
  rotten[offsets[2] + 40] ^= 1;
  Put(fs, "/d/cmdlog-00000000000000000001.active", rotten);
  auto scan = fmt_::ScanSegment(fs, "/d/cmdlog-00000000000000000001.active", id, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == fmt_::SegmentEnd::kDamage);
  CHECK(scan->problem_offset == offsets[2]);
  CHECK(scan->problem.find("offset " + std::to_string(offsets[2])) != std::string::npos);

  fmt_::DatasetId other{8};
  Put(fs, "/d/cmdlog-00000000000000000001.active", seg);
  scan = fmt_::ScanSegment(fs, "/d/cmdlog-00000000000000000001.active", other, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == fmt_::SegmentEnd::kDamage);

  std::string sealed = seg;
  fmt_::AppendSealRecord(&sealed, 6, 6, 1);
  std::string path = "/d/" + fmt_::SealedSegmentName(1, 6);
  Put(fs, path, sealed);
  scan = fmt_::ScanSegment(fs, path, id, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == fmt_::SegmentEnd::kSealed);
  // A torn-looking tail in a sealed segment is damage too: sealed means complete.
  Put(fs, path, sealed.substr(0, sealed.size() - 3));
  scan = fmt_::ScanSegment(fs, path, id, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == fmt_::SegmentEnd::kDamage);
  // A seal record whose count does not match the records is damage.
  std::string lying = seg;
  fmt_::AppendSealRecord(&lying, 6, 7, 1);
  Put(fs, path, lying);
  scan = fmt_::ScanSegment(fs, path, id, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == fmt_::SegmentEnd::kDamage);
}

TEST_CASE("an unwritten block before never-acknowledged records is a torn tail (active only)") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  fmt_::DatasetId id{4};
  std::vector<size_t> offsets;
  std::string seg = Segment(1, 200, &offsets, id);
  constexpr size_t kBlock = 4096;
  const std::string active = "/d/cmdlog-00000000000000000001.active";
  auto scan_of = [&](const std::string& path, const std::string& bytes) {
    Put(fs, path, bytes);
    auto scan = fmt_::ScanSegment(fs, path, id, nullptr);
    REQUIRE(scan.ok());
    return *scan;
  };
  // Record k starts in the third block; its block never reached the disk (zeros from it to the
  // block's end), later blocks did.
  size_t k = 0;
  while (offsets[k] < 2 * kBlock) ++k;
  size_t block_end = (offsets[k] / kBlock + 1) * kBlock;
  REQUIRE(block_end + kBlock < seg.size());
  std::string holed = seg;
  std::fill(holed.begin() + static_cast<ptrdiff_t>(offsets[k]),
            holed.begin() + static_cast<ptrdiff_t>(block_end), '\0');
  auto scan = scan_of(active, holed);
  CHECK(scan.end == fmt_::SegmentEnd::kTornTail);
  CHECK(scan.lsn_last == k);
  CHECK(scan.valid_bytes == offsets[k]);
  CHECK(scan.problem.find("never acknowledged") != std::string::npos);
  // Sealed means complete: the same hole is damage there.
  CHECK(scan_of("/d/" + fmt_::SealedSegmentName(1, 200), holed).end == fmt_::SegmentEnd::kDamage);
  // Zeros that stop short of the block's end, before a valid record, are rot: damage.
  std::string zeroed = seg;
  REQUIRE(offsets[k] + 8 < offsets[k + 1]);
  std::fill(zeroed.begin() + static_cast<ptrdiff_t>(offsets[k]),
            zeroed.begin() + static_cast<ptrdiff_t>(offsets[k] + 8), '\0');
  CHECK(scan_of(active, zeroed).end == fmt_::SegmentEnd::kDamage);
  // A record whose first bytes made it but whose next block did not: torn at that record.
  size_t m = 0;
  while (!(offsets[m] < 4 * kBlock && offsets[m + 1] > 4 * kBlock)) ++m;
  std::string straddled = seg;
  std::fill(straddled.begin() + static_cast<ptrdiff_t>(4 * kBlock),
            straddled.begin() + static_cast<ptrdiff_t>(5 * kBlock), '\0');
  REQUIRE(5 * kBlock < seg.size());
  scan = scan_of(active, straddled);
  CHECK(scan.end == fmt_::SegmentEnd::kTornTail);
  CHECK(scan.lsn_last == m);
  CHECK(scan.valid_bytes == offsets[m]);
}

TEST_CASE("dataset.id is created once and refused when data exists without it") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto a = fmt_::LoadOrCreateDatasetId(fs, "/d");
  REQUIRE(a.ok());
  auto b = fmt_::LoadOrCreateDatasetId(fs, "/d");
  REQUIRE(b.ok());
  CHECK(*a == *b);
  REQUIRE(fs.CreateDir("/e").ok());
  Put(fs, "/e/" + fmt_::SealedSegmentName(1, 2), "x");
  CHECK_FALSE(fmt_::LoadOrCreateDatasetId(fs, "/e").ok());
}

TEST_CASE("fault file system: full volume, read-only, power loss drops unsynced bytes") {
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto f = fs.Open("/d/f", FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(0, "abc").ok());
  REQUIRE((*f)->Fdatasync().ok());
  REQUIRE(fs.FsyncDir("/d").ok());
  REQUIRE((*f)->WriteAt(3, "def").ok());
  auto g = fs.Open("/d/g", FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(g.ok());
  REQUIRE((*g)->Fsync().ok());  // synced, but its directory entry is not
  fs.SimulatePowerLoss();
  CHECK(*fs.Contents("/d/f") == "abc");
  CHECK_FALSE(fs.Contents("/d/g").has_value());
  fs.SetFull(true);
  auto h = fs.Open("/d/h", FileSystem::OpenMode::kCreateOrTruncate);
  CHECK(absl::IsResourceExhausted(h.status()));
  fs.SetFull(false);
  fs.SetReadOnly(true);
  CHECK(
      absl::IsPermissionDenied(fs.Open("/d/h", FileSystem::OpenMode::kCreateOrTruncate).status()));
}

TEST_CASE("zstd frames round-trip; a truncated frame or bytes after it are data loss") {
  std::string data;
  for (int i = 0; i < 50000; ++i) data += std::to_string(i * 7919) + ",";
  auto frame = fmt_::ZstdCompress(data, 3);
  REQUIRE(frame.ok());
  auto back = fmt_::ZstdDecompress(*frame);
  REQUIRE(back.ok());
  CHECK(*back == data);
  CHECK(absl::IsDataLoss(fmt_::ZstdDecompress(frame->substr(0, frame->size() - 1)).status()));
  CHECK(absl::IsDataLoss(fmt_::ZstdDecompress(*frame + "x").status()));

  // The streaming pair over a file: written in pieces, read back a chunk at a time.
  FaultFileSystem fs;
  REQUIRE(fs.CreateDir("/d").ok());
  auto file = fs.Open("/d/f.zst", FileSystem::OpenMode::kCreateOrTruncate);
  REQUIRE(file.ok());
  fmt_::ZstdFrameWriter writer(**file, 3, 0);
  REQUIRE(writer.Write(std::string_view(data).substr(0, 1000)).ok());
  REQUIRE(writer.Write(std::string_view(data).substr(1000), /*end=*/true).ok());
  CHECK(writer.raw_bytes() == data.size());
  auto read = [&](uint64_t file_bytes, std::string* out) {
    fmt_::ZstdFrameReader reader(**file, file_bytes, "f: ");
    while (!reader.frame_done()) {
      if (auto s = reader.ReadMore(out); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  std::string streamed;
  REQUIRE(read(writer.file_bytes(), &streamed).ok());
  CHECK(streamed == data);
  // A file longer than the frame: the bytes after it are damage, named with the prefix.
  REQUIRE((*file)->WriteAt(writer.file_bytes(), "x").ok());
  streamed.clear();
  absl::Status after = read(writer.file_bytes() + 1, &streamed);
  CHECK(absl::IsDataLoss(after));
  CHECK(after.message() == "f: bytes after the zstd frame");
}
