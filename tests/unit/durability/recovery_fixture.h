// A persistence directory in a FaultFileSystem for recovery tests: writes records through the
// engine's DurableLog, places hand-made files durably, and runs the real recovery.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/segment_reader.h"
#include "common/io/fault_file_system.h"
#include "common/state/state.h"
#include "engine/durability/durable_log.h"
#include "engine/durability/recovery.h"

namespace strongbox::testing {

inline constexpr char kRecoveryDir[] = "/data";

// What the engine does with a batch: write, fdatasync, mark durable. False when there is no
// batch or the file system refused a step (a simulated crash).
inline bool WriteBatch(engine::DurableLog& log) {
  auto batch = log.TakeBatch();
  if (!batch) return false;
  if (!batch->file->WriteAt(batch->offset, batch->data).ok()) return false;
  if (!batch->file->Fdatasync().ok()) return false;
  log.BatchDurable();
  return true;
}

struct RecoveryFixture {
  io::FaultFileSystem fs;
  format::DatasetId id{};
  state::State state;
  std::vector<std::string> log_lines;

  RecoveryFixture() {
    REQUIRE(fs.CreateDir(kRecoveryDir).ok());
    auto loaded = format::LoadOrCreateDatasetId(fs, kRecoveryDir);
    REQUIRE(loaded.ok());
    id = *loaded;
  }

  static std::string PathOf(const std::string& name) {
    return std::string(kRecoveryDir) + "/" + name;
  }

  // Appends `records` durable records (SET k<LSN> <LSN>) to a new active segment after
  // `lsn_last`, as the engine does, and leaves the segment unsealed (a kill -9). Returns its path.
  std::string WriteActive(uint64_t lsn_last, int records, uint64_t segment_bytes) {
    engine::DurableLog log(fs, {kRecoveryDir, segment_bytes, 1'000'000}, id, lsn_last);
    REQUIRE(log.Rotate(1).ok());
    REQUIRE(log.has_segment());
    for (int i = 0; i < records; ++i) {
      log.BeginRecord(1);
      std::string lsn = std::to_string(log.lsn_assigned() + 1);
      std::string key = "k" + lsn;
      std::string_view argv[] = {"SET", key, lsn};
      log.builder().AddOp(0, argv);
      REQUIRE(log.EndRecord() != 0);
      auto batch = log.TakeBatch();
      REQUIRE(batch.has_value());
      REQUIRE(batch->file->WriteAt(batch->offset, batch->data).ok());
      REQUIRE(batch->file->Fdatasync().ok());
      log.BatchDurable();
    }
    return log.active_path();
  }

  // The offset of every data record of a segment, then the offset just after the last one.
  std::vector<uint64_t> RecordOffsets(const std::string& path) {
    std::vector<uint64_t> offsets{format::kSegmentHeaderBytes};
    auto scan = format::ScanSegment(fs, path, id, [&](const format::RecordView& r) {
      offsets.push_back(offsets.back() + r.total_bytes);
      return absl::OkStatus();
    });
    REQUIRE(scan.ok());
    return offsets;
  }

  // Replaces `path` with `bytes`, durably (file and directory entry).
  void Put(const std::string& path, const std::string& bytes) {
    auto file = fs.Open(path, io::FileSystem::OpenMode::kCreateOrTruncate);
    REQUIRE(file.ok());
    REQUIRE((*file)->WriteAt(0, bytes).ok());
    REQUIRE((*file)->Fsync().ok());
    REQUIRE(fs.FsyncDir(kRecoveryDir).ok());
  }

  absl::StatusOr<engine::RecoveryResult> Recover() {
    return engine::Recover(fs, kRecoveryDir, id, &state, 2,
                           [this](const std::string& line) { log_lines.push_back(line); });
  }

  std::vector<std::string> Names() {
    auto names = fs.ListDir(kRecoveryDir);
    REQUIRE(names.ok());
    return *names;
  }

  bool Has(const std::string& name) {
    auto names = Names();
    return std::find(names.begin(), names.end(), name) != names.end();
  }
};

}  // namespace strongbox::testing
