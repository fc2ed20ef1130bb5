// SegmentCursor: locating the segment of an LSN, and chunked decoding of its records.
#include "engine/replication/segment_cursor.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/format/directory_scan.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/format/segment_reader.h"

namespace strongbox::engine::replication {

namespace {

constexpr size_t kChunkBytes = 256 * 1024;
constexpr size_t kMinChunkBytes = 4096;

struct Found {
  std::string path;
  bool compressed = false;
};

// The file holding `lsn`: a sealed or active hot segment, else an archived one.
std::optional<Found> Find(io::FileSystem& fs, const std::string& dir,
                          const std::string& archive_dir, uint64_t lsn) {
  if (auto hot = format::ScanDirectory(fs, dir); hot.ok()) {
    for (const auto& n : hot->sealed) {
      if (n.lsn_first <= lsn && lsn <= n.lsn_last) return Found{dir + "/" + n.name, false};
    }
    // The active segment takes every LSN from its first on (the newest one that starts early
    // enough: an older .active may still be there after a crash, sealed at the next start).
    const format::ParsedName* best = nullptr;
    for (const auto& n : hot->active) {
      if (n.lsn_first <= lsn && (best == nullptr || n.lsn_first > best->lsn_first)) best = &n;
    }
    if (best != nullptr) return Found{dir + "/" + best->name, false};
  }
  if (archive_dir.empty()) return std::nullopt;
  if (auto cold = format::ScanDirectory(fs, archive_dir); cold.ok()) {
    for (const auto* group : {&cold->archived, &cold->sealed}) {
      for (const auto& n : *group) {
        if (n.lsn_first <= lsn && lsn <= n.lsn_last) {
          return Found{archive_dir + "/" + n.name, n.kind == format::FileKind::kArchivedSegment};
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool SegmentCursor::Available(io::FileSystem& fs, const std::string& dir,
                              const std::string& archive_dir, uint64_t lsn) {
  return Find(fs, dir, archive_dir, lsn).has_value();
}

absl::Status SegmentCursor::Locate() {
  auto found = Find(fs_, dir_, archive_dir_, next_lsn_);
  if (!found) {
    return absl::NotFoundError(absl::StrCat("no segment holds LSN ", next_lsn_, " any more"));
  }
  in_memory_ = found->compressed;
  if (in_memory_) {
    auto bytes = format::ReadSegmentBytes(fs_, found->path);
    if (!bytes.ok()) return bytes.status();
    whole_ = std::move(*bytes);
  } else {
    auto file = fs_.Open(found->path, io::FileSystem::OpenMode::kRead);
    if (!file.ok()) return file.status();  // NotFound: archived meanwhile; the caller retries
    file_ = std::move(*file);
  }
  open_ = true;
  offset_ = format::kSegmentHeaderBytes;
  return absl::OkStatus();
}

absl::StatusOr<std::string> SegmentCursor::Chunk(size_t min_bytes, uint64_t records_due) {
  size_t want = kChunkBytes;
  if (caught_up_) {
    // Following the live end: read about what the new records take, not a whole chunk of the
    // zero-filled rest of the active segment after every batch.
    uint64_t guess = records_due * (avg_record_bytes_ + avg_record_bytes_ / 2) + kMinChunkBytes;
    want = static_cast<size_t>(std::min<uint64_t>(guess, kChunkBytes));
  }
  want = std::max(want, min_bytes);
  if (in_memory_) {
    if (offset_ >= whole_.size()) return std::string();
    return whole_.substr(offset_, want);
  }
  return file_->ReadAt(offset_, want);
}

absl::StatusOr<size_t> SegmentCursor::Read(uint64_t lsn_durable, size_t max_bytes,
                                           std::string* out) {
  // `scanned` bounds the work of one call, records skipped before next_lsn included.
  size_t appended = 0, appended_bytes = 0, scanned = 0;
  size_t min_bytes = 0;
  while (next_lsn_ <= lsn_durable && scanned < max_bytes) {
    if (!open_) {
      if (auto s = Locate(); !s.ok()) return s;
    }
    auto chunk = Chunk(min_bytes, lsn_durable - next_lsn_ + 1);
    if (!chunk.ok()) return chunk.status();
    std::string_view data = *chunk;
    size_t pos = 0;
    bool segment_done = false;
    min_bytes = 0;
    while (pos < data.size() && next_lsn_ <= lsn_durable && scanned < max_bytes) {
      format::RecordView r;
      format::DecodeResult d = format::DecodeRecord(data.substr(pos), &r);
      if (d == format::DecodeResult::kIncomplete &&
          data.size() - pos >= format::kRecordHeaderBytes && pos == 0) {
        // One record larger than a chunk: read it whole next time round.
        min_bytes = format::kRecordHeaderBytes + format::GetU32(data.data() + 8);
        break;
      }
      if (d != format::DecodeResult::kOk) {
        // Past the durable records of the active segment (zero-filled or being written) is
        // normal; a durable LSN that does not decode is not.
        if (pos == 0 && d != format::DecodeResult::kIncomplete) {
          return absl::DataLossError(
              absl::StrCat("record LSN ", next_lsn_, " does not decode at offset ", offset_));
        }
        break;
      }
      if (r.type == format::RecordType::kSeal) {
        segment_done = true;
        break;
      }
      if (r.lsn > lsn_durable) break;
      if (r.lsn == next_lsn_) {
        out->append(data.substr(pos, r.total_bytes));
        appended_bytes += r.total_bytes;
        ++appended;
        ++next_lsn_;
      } else if (r.lsn > next_lsn_) {
        return absl::DataLossError(absl::StrCat("LSN ", next_lsn_, " missing before ", r.lsn));
      }
      pos += r.total_bytes;
      scanned += r.total_bytes;
    }
    offset_ += pos;
    if (segment_done) {
      open_ = false;
      file_.reset();
      whole_.clear();
      continue;
    }
    if (min_bytes == 0 && pos == 0) break;  // nothing more yet
  }
  caught_up_ = next_lsn_ > lsn_durable;
  if (appended > 0) avg_record_bytes_ = std::max<uint64_t>(1, appended_bytes / appended);
  return appended;
}

}  // namespace strongbox::engine::replication
