// Simulated power loss through the file seam: the engine's durability state machine
// (DurableLog: group commit, rotation, sealing, segment creation) runs over FaultFileSystem,
// power is cut at random moments (every byte and directory entry not covered by a completed
// fdatasync/fsync is dropped), the real recovery runs over what is left, and every write that
// was acknowledged must be there. kill -9 cannot show this: the page cache survives it.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/directory_scan.h"
#include "common/format/file_names.h"
#include "common/format/segment_reader.h"
#include "common/io/fault_file_system.h"
#include "common/state/state.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/recovery.h"
#include "tests/unit/durability/recovery_fixture.h"

namespace sb = strongbox;
using sb::testing::WriteBatch;

namespace {

constexpr char kDir[] = "/data";

struct Model {
  // Per key: LSN of the last acknowledged write (its value is the LSN as text).
  std::map<std::string, uint64_t> acked;
  std::map<uint64_t, std::string> pending;  // LSN -> key, written but not acknowledged
  uint64_t max_acked = 0;
};

// 1 to 6 records (SET k<0..15> <its LSN>), pending in the model until acknowledged.
void AddRecords(sb::engine::DurableLog& log, std::mt19937_64& rng, Model& model, int64_t clock_ms) {
  for (int i = 0, n = 1 + static_cast<int>(rng() % 6); i < n; ++i) {
    // Appended, not `"k" + std::to_string(...)`: GCC 12 at -O3 raises a false -Wrestrict on
    // operator+(const char*, std::string&&) (GCC bug 105329).
    std::string key = "k";
    key += std::to_string(rng() % 16);
    log.BeginRecord(clock_ms);
    std::string value = std::to_string(log.lsn_assigned() + 1);
    std::string_view argv[] = {"SET", key, value};
    log.builder().AddOp(0, argv);
    model.pending[log.EndRecord()] = key;
  }
}

void Acknowledge(const sb::engine::DurableLog& log, Model& model) {
  for (auto it = model.pending.begin();
       it != model.pending.end() && it->first <= log.lsn_durable();) {
    model.acked[it->second] = it->first;
    model.max_acked = std::max(model.max_acked, it->first);
    it = model.pending.erase(it);
  }
}

// Returns false when the simulated crash stopped the run.
bool RunUntilCrash(sb::io::FaultFileSystem& fs, const sb::format::DatasetId& id, uint64_t lsn_start,
                   std::mt19937_64& rng, Model& model, int64_t& clock_ms) {
  sb::engine::DurableLog log(fs, {kDir, 4096, 50}, id, lsn_start);
  if (!log.Rotate(clock_ms).ok() || !log.has_segment()) return false;
  for (int step = 0; step < 400; ++step) {
    clock_ms += static_cast<int64_t>(rng() % 20);
    AddRecords(log, rng, model, clock_ms);  // gathering while a sync is in flight
    auto batch = log.TakeBatch();
    if (!batch) return true;
    // The same two steps io_uring performs in the engine (write, then linked fdatasync).
    if (!batch->file->WriteAt(batch->offset, batch->data).ok()) return false;
    if (!batch->file->Fdatasync().ok()) return false;
    log.BatchDurable();
    Acknowledge(log, model);  // replies for every LSN <= durable are released now
    // The engine's order after every durable batch: the same call it makes.
    bool force = rng() % 17 == 0;
    if (!log.Rotate(clock_ms, force).ok()) return false;
    if (!log.has_segment()) return false;  // this volume is never full: only a crash gets here
  }
  return true;
}

// The pipelined group commit (--log-batches-in-flight 2) in the engine's order: a batch is
// taken once the previous batch's write completed (not its sync), the syncs complete in any
// order, a batch is durable only after its own sync, replies go for the durable prefix, and
// rotation waits until nothing is in flight (MaybeFlush stops taking batches when it is due).
// Counts the syncs that finished before an older batch's: the runs must include some.
int syncs_out_of_order = 0;

bool RunPipelinedUntilCrash(sb::io::FaultFileSystem& fs, const sb::format::DatasetId& id,
                            uint64_t lsn_start, std::mt19937_64& rng, Model& model,
                            int64_t& clock_ms) {
  sb::engine::DurableLogOptions options{kDir, 4096, 50};
  options.max_batches_in_flight = 2;
  sb::engine::DurableLog log(fs, options, id, lsn_start);
  if (!log.Rotate(clock_ms).ok() || !log.has_segment()) return false;
  std::vector<sb::engine::DurableLog::Batch> written;  // written, not yet synced
  for (int step = 0; step < 400; ++step) {
    clock_ms += static_cast<int64_t>(rng() % 20);
    AddRecords(log, rng, model, clock_ms);
    if (!(log.batch_in_flight() && log.rotation_due(clock_ms))) {
      if (auto batch = log.TakeBatch()) {
        if (!batch->file->WriteAt(batch->offset, batch->data).ok()) return false;
        written.push_back(*batch);
      }
    }
    // Sometimes both syncs are pending at once; then either may finish first.
    if (written.empty() || (written.size() == 1 && rng() % 2 == 0 && log.batches_in_flight() < 2))
      continue;
    size_t pick = rng() % written.size();
    if (pick > 0) ++syncs_out_of_order;
    if (!written[pick].file->Fdatasync().ok()) return false;
    log.BatchDurable(written[pick].id);
    written.erase(written.begin() + static_cast<ptrdiff_t>(pick));
    Acknowledge(log, model);
    if (log.batch_in_flight()) continue;
    if (!log.Rotate(clock_ms, rng() % 17 == 0).ok()) return false;
    if (!log.has_segment()) return false;
  }
  return true;
}

void CheckRecovered(sb::io::FaultFileSystem& fs, const sb::format::DatasetId& id,
                    const Model& model, uint64_t* lsn_last, int64_t clock_ms, uint64_t seed) {
  sb::state::State state;
  auto result = sb::engine::Recover(fs, kDir, id, &state, clock_ms, [](const std::string&) {});
  INFO("seed " << seed);
  REQUIRE(result.ok());
  REQUIRE(result->lsn_last >= model.max_acked);
  for (const auto& [key, lsn] : model.acked) {
    const sb::state::Entry* e = state.db(0).Find(key, 0);
    REQUIRE(e != nullptr);
    // A later write that reached the disk but was never acknowledged may have replaced it,
    // never an earlier one.
    REQUIRE(std::stoull(std::string(*e->str())) >= lsn);
  }
  *lsn_last = result->lsn_last;
}

}  // namespace

TEST_CASE("power loss at random moments never loses an acknowledged write") {
  const int iterations = 150;
  for (bool pipelined : {false, true}) {
    for (uint64_t seed = 1; seed <= iterations; ++seed) {
      std::mt19937_64 rng(seed);
      sb::io::FaultFileSystem fs;
      REQUIRE(fs.CreateDir(kDir).ok());
      auto id = sb::format::LoadOrCreateDatasetId(fs, kDir);
      REQUIRE(id.ok());
      Model model;
      int64_t clock_ms = 1'700'000'000'000;
      uint64_t lsn = 0;
      for (int cycle = 0; cycle < 3; ++cycle) {
        // Cut power after a random number of mutating file operations: mid-batch, between the
        // write and its fdatasync, during sealing, during segment creation.
        fs.CrashAfterMutatingOps(static_cast<int64_t>(rng() % 300));
        INFO("pipelined " << pipelined);
        pipelined ? RunPipelinedUntilCrash(fs, *id, lsn, rng, model, clock_ms)
                  : RunUntilCrash(fs, *id, lsn, rng, model, clock_ms);
        fs.SimulatePowerLoss();
        model.pending.clear();
        CheckRecovered(fs, *id, model, &lsn, clock_ms, seed);
      }
    }
  }
  CHECK(syncs_out_of_order > 100);
}

TEST_CASE("power loss after a seal rename whose directory fsync failed") {
  sb::io::FaultFileSystem fs;
  REQUIRE(fs.CreateDir(kDir).ok());
  auto id = sb::format::LoadOrCreateDatasetId(fs, kDir);
  REQUIRE(id.ok());
  sb::engine::DurableLog log(fs, {kDir, 1 << 20, 1000}, *id, 0);
  REQUIRE(log.Rotate(1).ok());
  REQUIRE(log.has_segment());
  for (int i = 0; i < 5; ++i) {
    log.BeginRecord(1);
    std::string value = std::to_string(i);
    std::string_view argv[] = {"SET", "k", value};
    log.builder().AddOp(0, argv);
    log.EndRecord();
  }
  auto batch = log.TakeBatch();
  REQUIRE(batch.has_value());
  REQUIRE(batch->file->WriteAt(batch->offset, batch->data).ok());
  REQUIRE(batch->file->Fdatasync().ok());
  log.BatchDurable();
  fs.FailNth(sb::io::FaultFileSystem::Op::kFsyncDir, 1, absl::InternalError("EIO"));
  REQUIRE_FALSE(log.SealActive(2).ok());
  fs.SimulatePowerLoss();  // the rename is undone: an .active file that holds a seal record
  auto listing = sb::format::ScanDirectory(fs, kDir);
  REQUIRE(listing.ok());
  REQUIRE(listing->active.size() == 1);
  sb::state::State state;
  auto result = sb::engine::Recover(fs, kDir, *id, &state, 3, [](const std::string&) {});
  REQUIRE(result.ok());
  CHECK(result->lsn_last == 5);
  CHECK(*state.db(0).Find("k", 0)->str() == "4");
  listing = sb::format::ScanDirectory(fs, kDir);
  REQUIRE(listing.ok());
  CHECK(listing->active.empty());
  REQUIRE(listing->sealed.size() == 1);
  CHECK(listing->sealed[0].name == sb::format::SealedSegmentName(1, 5));
  // And it scans as a properly sealed segment (one seal record, not two).
  auto scan =
      sb::format::ScanSegment(fs, std::string(kDir) + "/" + listing->sealed[0].name, *id, nullptr);
  REQUIRE(scan.ok());
  CHECK(scan->end == sb::format::SegmentEnd::kSealed);
}

namespace {

// An empty simulated volume with a data-set id.
struct Volume {
  sb::io::FaultFileSystem fs;
  sb::format::DatasetId id;
  Volume() {
    REQUIRE(fs.CreateDir(kDir).ok());
    auto loaded = sb::format::LoadOrCreateDatasetId(fs, kDir);
    REQUIRE(loaded.ok());
    id = *loaded;
  }
};

uint64_t AddSet(sb::engine::DurableLog& log, int64_t now_ms) {
  log.BeginRecord(now_ms);
  std::string_view argv[] = {"SET", "k", "v"};
  log.builder().AddOp(0, argv);
  return log.EndRecord();
}

}  // namespace

TEST_CASE("a full volume at start: read-only until a segment can be prepared") {
  Volume v;
  auto& fs = v.fs;
  auto* id = &v.id;
  sb::engine::DurableLog log(fs, {kDir, 1 << 20, 1000, /*readonly_retry_ms=*/500}, *id, 0);
  fs.SetFull(true);
  REQUIRE(log.Rotate(10).ok());  // full is not fatal
  CHECK_FALSE(log.has_segment());
  CHECK_FALSE(log.accepting_writes());
  CHECK_FALSE(log.read_only_reason().empty());
  fs.SetFull(false);
  REQUIRE(log.Rotate(100).ok());  // before the retry interval: no new attempt
  CHECK_FALSE(log.accepting_writes());
  REQUIRE(log.Rotate(510).ok());
  REQUIRE(log.has_segment());
  CHECK(log.accepting_writes());
  CHECK(log.read_only_reason().empty());
  CHECK(AddSet(log, 520) == 1);
  REQUIRE(WriteBatch(log));
  CHECK(log.lsn_durable() == 1);
}

TEST_CASE("a full volume is noticed while the active segment still has room for what it took") {
  Volume v;
  auto& fs = v.fs;
  auto* id = &v.id;
  sb::engine::DurableLog log(fs, {kDir, 1 << 20, 1000, /*readonly_retry_ms=*/500}, *id, 0);
  REQUIRE(log.Rotate(10).ok());  // promotes the first prepared segment
  REQUIRE(log.has_segment());
  REQUIRE(AddSet(log, 10) == 1);
  REQUIRE(WriteBatch(log));
  REQUIRE(log.Rotate(20).ok());  // prepares the next one
  // The volume fills. The next rotation still has its prepared file: it seals and promotes.
  fs.SetFull(true);
  REQUIRE(log.Rotate(30, /*force=*/true).ok());
  CHECK(log.lsn_sealed() == 1);
  REQUIRE(log.has_segment());
  // Preparing the one after that fails: writes are refused from now on, while a record accepted
  // before still goes into the active segment's prepared room and becomes durable.
  REQUIRE(AddSet(log, 40) == 2);
  REQUIRE(log.Rotate(40).ok());
  CHECK_FALSE(log.accepting_writes());
  CHECK(log.read_only_reason().find("No space left") != std::string::npos);
  REQUIRE(WriteBatch(log));
  CHECK(log.lsn_durable() == 2);
  // Due for rotation but nothing prepared: the active segment stays (nothing is stranded).
  REQUIRE(log.Rotate(50, /*force=*/true).ok());
  CHECK(log.has_segment());
  CHECK(log.lsn_sealed() == 1);
  // Space is back: the next retry prepares a file and writes are accepted again.
  fs.SetFull(false);
  REQUIRE(log.Rotate(100).ok());
  CHECK_FALSE(log.accepting_writes());  // retry interval not over
  REQUIRE(log.Rotate(600).ok());
  CHECK(log.accepting_writes());
  REQUIRE(log.Rotate(610, /*force=*/true).ok());
  CHECK(log.lsn_sealed() == 2);
}

TEST_CASE("prepared segment files are zero-filled to their size, and leftovers removed") {
  Volume v;
  auto& fs = v.fs;
  auto* id = &v.id;
  {
    auto left = fs.Open(std::string(kDir) + "/cmdlog-prepared-7.tmp",
                        sb::io::FileSystem::OpenMode::kCreateOrTruncate);
    REQUIRE(left.ok());
  }
  const uint64_t segment_bytes = 3 * (1 << 20) + 123;  // not a multiple of the fill chunk
  sb::engine::DurableLog log(fs, {kDir, segment_bytes, 1000}, *id, 0);
  auto exists = fs.Exists(std::string(kDir) + "/cmdlog-prepared-7.tmp");
  REQUIRE(exists.ok());
  CHECK_FALSE(*exists);
  REQUIRE(log.Rotate(10).ok());  // promotes one
  REQUIRE(log.Rotate(20).ok());  // prepares the next
  auto names = fs.ListDir(kDir);
  REQUIRE(names.ok());
  int prepared = 0;
  for (const auto& n : *names) {
    if (!sb::engine::SegmentPipeline::IsPreparedFileName(n)) continue;
    ++prepared;
    auto f = fs.Open(std::string(kDir) + "/" + n, sb::io::FileSystem::OpenMode::kRead);
    REQUIRE(f.ok());
    auto bytes = (*f)->ReadAt(0, 2 * segment_bytes);
    REQUIRE(bytes.ok());
    CHECK(bytes->size() == sb::engine::PreparedBytes(segment_bytes));
    CHECK(bytes->find_first_not_of('\0') == std::string::npos);
  }
  CHECK(prepared == 1);
  auto active = fs.FileSize(std::string(kDir) + "/" + sb::format::ActiveSegmentName(1));
  REQUIRE(active.ok());
  CHECK(*active == sb::engine::PreparedBytes(segment_bytes));
}

TEST_CASE("rotation comes before a batch that would overflow the prepared size") {
  Volume v;
  auto& fs = v.fs;
  auto* id = &v.id;
  const uint64_t segment_bytes = 4096;
  sb::engine::DurableLog log(fs, {kDir, segment_bytes, 1'000'000}, *id, 0);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    for (int n = 1 + static_cast<int>(rng() % 7); n > 0; --n) AddSet(log, 1);
    // The engine's order: a rotation check before every batch (GroupCommit::MaybeFlush).
    REQUIRE(log.Rotate(1).ok());
    REQUIRE(WriteBatch(log));
  }
  auto listing = sb::format::ScanDirectory(fs, kDir);
  REQUIRE(listing.ok());
  REQUIRE(listing->sealed.size() > 10);
  for (const auto& s : listing->sealed) {
    auto size = fs.FileSize(std::string(kDir) + "/" + s.name);
    REQUIRE(size.ok());
    // Records stay within the prepared bytes; only the small seal record may follow them.
    CHECK(*size <= segment_bytes + 64);
  }
}

TEST_CASE("rotation fails hard on errors other than a full or read-only volume") {
  Volume v;
  auto& fs = v.fs;
  auto* id = &v.id;
  sb::engine::DurableLog log(fs, {kDir, 1 << 20, 1000}, *id, 0);
  fs.FailNth(sb::io::FaultFileSystem::Op::kFsyncDir, 1, absl::InternalError("EIO"));
  CHECK_FALSE(log.Rotate(1).ok());
  CHECK_FALSE(log.has_segment());
}
