// Fuzzes LoadSnapshot over file bytes in a FaultFileSystem: arbitrary bytes, arbitrary content
// in a valid zstd frame, and snapshots whose header, entry framing, count and digest are right
// around entries from the input (so DecodeEntryInto sees arbitrary entries that pass every
// check before it), with read faults injected. Checks that a snapshot that loads holds
// entry_count keys, loads the same without a state, and writes and loads back the same state.
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/format/dataset_id.h"
#include "common/format/record_codec.h"
#include "common/format/zstd_frame.h"
#include "common/io/fault_file_system.h"
#include "common/state/snapshot.h"
#include "common/state/state.h"
#include "common/util/check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/state_checks.h"

namespace {

namespace format = strongbox::format;
namespace state = strongbox::state;
using strongbox::fuzz::FuzzInput;
using strongbox::io::FaultFileSystem;

constexpr format::DatasetId kDataset = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
constexpr std::string_view kPath = "/snap/snapshot-00000000000000000001.snap";

// A stream's value: small IDs from the input so that ordered ones (what loads) are common.
template <typename Bytes>
void StreamValue(FuzzInput& in, std::string* e, Bytes& bytes) {
  for (int i = 0; i < 4; ++i) format::PutU64(e, in.Byte());  // last and max deleted IDs
  format::PutU64(e, in.Byte());                              // entries added
  uint8_t n = in.Byte() % 8;
  format::PutU32(e, n);
  for (uint8_t i = 0; i < n; ++i) {
    format::PutU64(e, i + uint64_t{1});
    format::PutU64(e, in.Byte() % 4);
    uint8_t strings = in.Byte() % 5;  // odd counts are damage
    format::PutU32(e, strings);
    for (uint8_t j = 0; j < strings; ++j) bytes();
  }
}

// One entry: mostly well-formed (the shape EncodeEntry writes) with values from the input,
// sometimes arbitrary bytes.
std::string Entry(FuzzInput& in) {
  std::string e;
  uint8_t kind = in.Byte();
  if (kind >= 0xf0) return std::string(in.Bytes(in.Byte()));
  e.push_back(static_cast<char>(kind & 0x80 ? in.Byte() : kind % 2));         // db
  e.push_back(static_cast<char>(kind & 0x40 ? in.Byte() : (kind >> 2) % 6));  // type
  format::PutU64(&e, kind & 0x20 ? in.U64() : 0);                             // expiry
  auto bytes = [&] {
    std::string_view b = in.Bytes(in.Byte() % 32);
    format::PutU32(&e, static_cast<uint32_t>(b.size()));
    e.append(b);
  };
  bytes();  // key
  uint8_t type = static_cast<uint8_t>(e[1]);
  if (type == 0) {
    bytes();
  } else if (type == 5) {
    StreamValue(in, &e, bytes);
  } else {
    uint8_t n = in.Byte() % 8;
    format::PutU32(&e, n);
    for (uint8_t i = 0; i < n; ++i) {
      if (type == 4) format::PutU64(&e, in.U64());  // score bits
      bytes();
      if (type == 1) bytes();  // hash value
    }
  }
  return e;
}

// A whole snapshot's content around entries from the input; the input may spoil the counts.
std::string Content(FuzzInput& in) {
  std::string entries;
  uint64_t count = 0, digest = 0;
  uint8_t n = in.Byte() % 16;
  for (uint8_t i = 0; i < n; ++i) {
    std::string e = Entry(in);
    format::PutU32(&entries, static_cast<uint32_t>(e.size()));
    entries += e;
    digest += XXH3_64bits(e.data(), e.size());
    ++count;
  }
  uint8_t spoil = in.Byte();
  std::string out = "SBXSNP01";
  // Version 1 content (no library section), which readers still accept.
  format::PutU32(&out, spoil == 1 ? state::kSnapshotFormatVersion + 1 : 1);
  out.append(reinterpret_cast<const char*>(kDataset.data()), kDataset.size());
  format::PutU64(&out, 1);
  format::PutU64(&out, 2);
  format::PutU64(&out, count + (spoil == 2 ? 1 : 0));
  out += entries;
  out += "SBXEND01";
  format::PutU64(&out, count - (spoil == 3 ? 1 : 0));
  format::PutU64(&out, digest + (spoil == 4 ? 1 : 0));
  if (spoil == 5) out.append(in.Bytes(in.Byte()));
  return out;
}

absl::StatusOr<state::SnapshotInfo> Load(FaultFileSystem& fs, state::State* st,
                                         const std::optional<format::DatasetId>& dataset) {
  return state::LoadSnapshot(fs, std::string(kPath), dataset, st);
}

// Loads again with worker threads decoding (parallel_load.h): the outcome must be the one
// thread's, the same error or the same state.
void CheckThreadsAgree(FaultFileSystem& fs, const std::optional<format::DatasetId>& dataset,
                       const absl::StatusOr<state::SnapshotInfo>& serial, const state::State& st) {
  state::State parallel_state;
  auto parallel = state::LoadSnapshot(fs, std::string(kPath), dataset, &parallel_state,
                                      state::LoadOptions{.decode_threads = 2});
  SB_CHECK(parallel.status() == serial.status(), "2 threads: %s, 1 thread: %s",
           parallel.status().ToString().c_str(), serial.status().ToString().c_str());
  if (parallel.ok()) {
    SB_CHECK(state::StateDigest(parallel_state) == state::StateDigest(st),
             "2 threads loaded another state");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(std::string_view(reinterpret_cast<const char*>(data), size));
  uint8_t mode = in.Byte();
  std::optional<format::DatasetId> dataset;
  if (mode & 4) dataset = kDataset;
  int read_fault = (mode & 8) ? in.Byte() % 4 + 1 : 0;
  std::string file;
  switch (mode % 4) {
    case 0:  // arbitrary file bytes
      file = std::string(in.Rest());
      break;
    case 1:  // arbitrary content in a valid frame
      file = *format::ZstdCompress(in.Rest(), 1);
      break;
    default: {  // a valid-looking snapshot around input entries
      file = *format::ZstdCompress(Content(in), 1);
      break;
    }
  }
  FaultFileSystem fs;
  SB_CHECK(fs.CreateDir("/snap").ok(), "mkdir");
  {
    auto f = fs.Open(std::string(kPath), FaultFileSystem::OpenMode::kCreateOrTruncate);
    SB_CHECK(f.ok() && (*f)->WriteAt(0, file).ok(), "writing the file");
  }
  if (read_fault > 0) {
    fs.FailNth(FaultFileSystem::Op::kRead, read_fault, absl::DataLossError("injected EIO"));
  }
  state::State st;
  auto info = Load(fs, &st, dataset);
  if (!info.ok()) {
    SB_CHECK(absl::IsDataLoss(info.status()) || absl::IsFailedPrecondition(info.status()),
             "LoadSnapshot: unexpected %s", info.status().ToString().c_str());
    if (read_fault == 0) CheckThreadsAgree(fs, dataset, info, st);
    return 0;
  }
  SB_CHECK(info->file_bytes == file.size() && info->entry_count == st.TotalKeys(),
           "loaded %zu keys of %zu entries", st.TotalKeys(), size_t(info->entry_count));
  if (read_fault > 0) return 0;  // a fault not reached yet would hit the loads below
  auto header_only = Load(fs, nullptr, dataset);
  SB_CHECK(header_only.ok() && header_only->digest == info->digest,
           "the same file loads otherwise without a state");
  CheckThreadsAgree(fs, dataset, info, st);
  strongbox::fuzz::CheckSnapshotRoundTrip(st);
  return 0;
}
