// Segment header, dataset.id, directory names and the segment scanner.
#include "common/format/segment_format.h"

#include <sys/random.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace strongbox::format {

std::string DatasetIdHex(const DatasetId& id) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : id) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string out(kSegmentMagic);
  PutU32(&out, h.format_version);
  PutU32(&out, kSegmentHeaderBytes);
  out.append(reinterpret_cast<const char*>(h.dataset_id.data()), h.dataset_id.size());
  PutU64(&out, h.first_lsn);
  PutU64(&out, static_cast<uint64_t>(h.created_ms));
  PutU64(&out, 0);
  PutU64(&out, Checksum(out));
  return out;
}

absl::StatusOr<SegmentHeader> DecodeSegmentHeader(std::string_view b) {
  if (b.size() < kSegmentHeaderBytes) return absl::DataLossError("segment header truncated");
  if (b.substr(0, 8) != kSegmentMagic) return absl::DataLossError("not a segment (bad magic)");
  if (Checksum(b.substr(0, 56)) != GetU64(b.data() + 56)) {
    return absl::DataLossError("segment header checksum mismatch");
  }
  SegmentHeader h;
  h.format_version = GetU32(b.data() + 8);
  if (h.format_version != kLogFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("segment format version ", h.format_version, " is not supported (this ",
                     "build reads version ", kLogFormatVersion, ")"));
  }
  std::copy(b.data() + 16, b.data() + 32, reinterpret_cast<char*>(h.dataset_id.data()));
  h.first_lsn = GetU64(b.data() + 32);
  h.created_ms = static_cast<int64_t>(GetU64(b.data() + 40));
  return h;
}

// ---- dataset.id ---------------------------------------------------------------------------

absl::StatusOr<DatasetId> LoadDatasetId(io::FileSystem& fs, const std::string& dir) {
  std::string path = absl::StrCat(dir, "/", std::string(kDatasetIdFile));
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto text = (*file)->ReadAt(0, 4096);
  if (!text.ok()) return text.status();
  std::vector<std::string> words = absl::StrSplit(*text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  uint32_t version = 0;
  if (words.size() != 4 || words[0] != "strongbox-dataset" || words[1].size() != 32 ||
      words[2] != "format" || !absl::SimpleAtoi(words[3], &version)) {
    return absl::DataLossError(absl::StrCat(path, ": malformed data-set id file"));
  }
  if (version != kLogFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": data set has format version ",
                                                      version, ", this build supports ",
                                                      kLogFormatVersion));
  }
  DatasetId id{};
  for (size_t i = 0; i < 16; ++i) {
    unsigned v = 0;
    if (std::sscanf(words[1].c_str() + 2 * i, "%2x", &v) != 1) {
      return absl::DataLossError(absl::StrCat(path, ": malformed data-set id"));
    }
    id[i] = static_cast<uint8_t>(v);
  }
  return id;
}

absl::Status WriteDatasetId(io::FileSystem& fs, const std::string& dir, const DatasetId& id) {
  std::string path = absl::StrCat(dir, "/", std::string(kDatasetIdFile));
  std::string tmp = path + ".tmp";
  std::string text =
      absl::StrCat("strongbox-dataset ", DatasetIdHex(id), "\nformat ", kLogFormatVersion, "\n");
  auto file = fs.Open(tmp, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  if (auto s = (*file)->WriteAt(0, text); !s.ok()) return s;
  if (auto s = (*file)->Fsync(); !s.ok()) return s;
  file->reset();
  if (auto s = fs.Rename(tmp, path); !s.ok()) return s;
  return fs.FsyncDir(dir);
}

absl::StatusOr<DatasetId> LoadOrCreateDatasetId(io::FileSystem& fs, const std::string& dir) {
  auto loaded = LoadDatasetId(fs, dir);
  if (loaded.ok() || !absl::IsNotFound(loaded.status())) return loaded;
  auto listing = ScanDirectory(fs, dir);
  if (!listing.ok()) return listing.status();
  if (!listing->active.empty() || !listing->sealed.empty() || !listing->snapshots.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " holds segments or snapshots but no dataset.id: refusing to guess which data set ",
        "they belong to; restore dataset.id from a backup or run strongbox-snapshotter verify"));
  }
  DatasetId id{};
  if (::getrandom(id.data(), id.size(), 0) != static_cast<ssize_t>(id.size())) {
    return absl::InternalError("getrandom failed");
  }
  if (auto s = WriteDatasetId(fs, dir, id); !s.ok()) return s;
  return id;
}

// ---- names --------------------------------------------------------------------------------

std::string LsnDigits(uint64_t lsn) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(lsn));
  return buf;
}
std::string ActiveSegmentName(uint64_t first) {
  return absl::StrCat("cmdlog-", LsnDigits(first), ".active");
}
std::string SealedSegmentName(uint64_t first, uint64_t last) {
  return absl::StrCat("cmdlog-", LsnDigits(first), "-", LsnDigits(last), ".log");
}
std::string ArchivedSegmentName(uint64_t first, uint64_t last) {
  return SealedSegmentName(first, last) + ".zst";
}
std::string SnapshotName(uint64_t lsn) {
  return absl::StrCat("snapshot-", LsnDigits(lsn), ".snap.zst");
}

namespace {
bool ParseDigits(absl::string_view s, uint64_t* out) {
  if (s.size() != 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(s, out);
}
}  // namespace

ParsedName ParseFileName(std::string_view name_std) {
  // Debian's Abseil is built with its own string_view type, so work in absl::string_view here.
  absl::string_view name(name_std.data(), name_std.size());
  ParsedName p;
  p.name = std::string(name);
  if (absl::EndsWith(name, ".tmp")) {
    p.kind = FileKind::kTmp;
    return p;
  }
  if (absl::EndsWith(name, ".torn")) {
    p.kind = FileKind::kTorn;
    return p;
  }
  absl::string_view rest = name;
  if (absl::ConsumePrefix(&rest, "snapshot-") && absl::ConsumeSuffix(&rest, ".snap.zst")) {
    if (ParseDigits(rest, &p.last_lsn)) p.kind = FileKind::kSnapshot;
    return p;
  }
  rest = name;
  if (!absl::ConsumePrefix(&rest, "cmdlog-")) return p;
  if (absl::ConsumeSuffix(&rest, ".active")) {
    if (ParseDigits(rest, &p.first_lsn)) p.kind = FileKind::kActive;
    return p;
  }
  FileKind kind = FileKind::kSealed;
  if (absl::ConsumeSuffix(&rest, ".log.zst")) {
    kind = FileKind::kArchivedSegment;
  } else if (!absl::ConsumeSuffix(&rest, ".log")) {
    return p;
  }
  if (rest.size() == 41 && rest[20] == '-' && ParseDigits(rest.substr(0, 20), &p.first_lsn) &&
      ParseDigits(rest.substr(21), &p.last_lsn) && p.last_lsn + 1 >= p.first_lsn) {
    p.kind = kind;
  }
  return p;
}

absl::StatusOr<DirectoryListing> ScanDirectory(io::FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return names.status();
  DirectoryListing out;
  for (const std::string& n : *names) {
    ParsedName p = ParseFileName(n);
    switch (p.kind) {
      case FileKind::kActive:
        out.active.push_back(p);
        break;
      case FileKind::kSealed:
        out.sealed.push_back(p);
        break;
      case FileKind::kArchivedSegment:
        out.archived.push_back(p);
        break;
      case FileKind::kSnapshot:
        out.snapshots.push_back(p);
        break;
      case FileKind::kTmp:
        out.tmp.push_back(p);
        break;
      default:
        break;
    }
  }
  auto by_first = [](const ParsedName& a, const ParsedName& b) {
    return a.first_lsn != b.first_lsn ? a.first_lsn < b.first_lsn : a.name < b.name;
  };
  std::sort(out.active.begin(), out.active.end(), by_first);
  std::sort(out.sealed.begin(), out.sealed.end(), by_first);
  std::sort(out.archived.begin(), out.archived.end(), by_first);
  std::sort(out.snapshots.begin(), out.snapshots.end(),
            [](const ParsedName& a, const ParsedName& b) { return a.last_lsn < b.last_lsn; });
  return out;
}

// ---- scanning -------------------------------------------------------------------------------

namespace {

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Is there any record after `from` that validates and continues the LSN sequence? If so, the
// bad bytes at `from` are rot in the middle, not a torn tail.
bool ValidRecordFollows(std::string_view data, size_t from, uint64_t next_lsn) {
  for (size_t pos = from + 1; pos + kRecordHeaderBytes <= data.size(); ++pos) {
    RecordView r;
    if (DecodeRecord(data.substr(pos), &r) == DecodeResult::kOk && r.lsn >= next_lsn) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> ZstdCompress(std::string_view data, int level) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

absl::StatusOr<std::string> ZstdDecompress(std::string_view frame) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string out;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(dctx, &o, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return absl::DataLossError(absl::StrCat("zstd: ", ZSTD_getErrorName(last)));
    }
    out.append(chunk.data(), o.pos);
    if (last == 0 && in.pos != in.size) {
      ZSTD_freeDCtx(dctx);
      return absl::DataLossError("bytes after the zstd frame");
    }
  }
  ZSTD_freeDCtx(dctx);
  if (last != 0) return absl::DataLossError("truncated zstd frame");
  return out;
}

absl::StatusOr<std::string> ReadSegmentBytes(io::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  auto bytes = (*file)->ReadAt(0, *size);
  if (!bytes.ok()) return bytes.status();
  if (absl::EndsWith(path, ".zst")) {
    auto raw = ZstdDecompress(*bytes);
    if (!raw.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", std::string(raw.status().message())));
    }
    return raw;
  }
  return bytes;
}

absl::StatusOr<SegmentScan> ScanSegment(io::FileSystem& fs, const std::string& path,
                                        const std::optional<DatasetId>& expected_dataset,
                                        const RecordFn& on_record) {
  auto bytes = ReadSegmentBytes(fs, path);
  if (!bytes.ok()) return bytes.status();
  FileKind kind = ParseFileName(path.substr(path.rfind('/') + 1)).kind;
  return ScanSegmentBytes(path, *bytes,
                          kind == FileKind::kSealed || kind == FileKind::kArchivedSegment,
                          expected_dataset, on_record);
}

absl::StatusOr<SegmentScan> ScanSegmentBytes(const std::string& path, std::string_view data,
                                             bool sealed_name,
                                             const std::optional<DatasetId>& expected_dataset,
                                             const RecordFn& on_record) {
  SegmentScan scan;
  scan.file_bytes = data.size();
  auto damage = [&](uint64_t offset, std::string why) {
    scan.end = SegmentEnd::kDamage;
    scan.problem_offset = offset;
    scan.problem = absl::StrCat(path, " at offset ", offset, ": ", why);
    return scan;
  };
  auto header = DecodeSegmentHeader(data);
  if (!header.ok()) {
    // A header that never reached the disk (crash right after creating the active file) is
    // the same as an empty torn segment; anywhere else it is damage.
    if (!sealed_name && AllZero(data.substr(0, std::min<size_t>(data.size(), 64)))) {
      scan.end = SegmentEnd::kTornTail;
      scan.problem = absl::StrCat(path, ": header never written (crash at creation)");
      return scan;
    }
    return damage(0, std::string(header.status().message()));
  }
  scan.header = *header;
  if (expected_dataset && *expected_dataset != header->dataset_id) {
    return damage(16, absl::StrCat("belongs to data set ", DatasetIdHex(header->dataset_id),
                                   ", expected ", DatasetIdHex(*expected_dataset)));
  }
  uint64_t next_lsn = header->first_lsn;
  scan.last_lsn = next_lsn - 1;
  size_t pos = kSegmentHeaderBytes;
  scan.valid_bytes = pos;
  while (pos < data.size()) {
    RecordView r;
    DecodeResult res = DecodeRecord(data.substr(pos), &r);
    if (res != DecodeResult::kOk) {
      std::string_view rest = data.substr(pos);
      if (AllZero(rest)) {
        scan.end = SegmentEnd::kClean;
        break;
      }
      if (sealed_name || ValidRecordFollows(data, pos, next_lsn)) {
        return damage(
            pos, res == DecodeResult::kBadChecksum ? "record checksum mismatch" : "invalid record");
      }
      scan.end = SegmentEnd::kTornTail;
      scan.problem_offset = pos;
      scan.problem = absl::StrCat(path, ": torn tail of ", rest.size(), " bytes at offset ", pos);
      return scan;
    }
    if (r.type == RecordType::kSeal) {
      uint64_t last = 0, count = 0;
      if (!DecodeSeal(r.payload, &last, &count).ok() || last != scan.last_lsn ||
          count != scan.record_count) {
        return damage(pos, "seal record does not match the records before it");
      }
      pos += r.total_bytes;
      scan.valid_bytes = pos;
      if (!AllZero(data.substr(pos))) return damage(pos, "bytes after the seal record");
      scan.end = SegmentEnd::kSealed;
      return scan;
    }
    if (r.lsn != next_lsn) {
      return damage(pos, absl::StrCat("LSN ", r.lsn, " where ", next_lsn, " was expected"));
    }
    if (on_record) {
      if (auto s = on_record(r); !s.ok()) return s;
    }
    ++next_lsn;
    ++scan.record_count;
    scan.last_lsn = r.lsn;
    pos += r.total_bytes;
    scan.valid_bytes = pos;
  }
  if (sealed_name) return damage(pos, "sealed segment has no seal record");
  return scan;
}

}  // namespace strongbox::format
