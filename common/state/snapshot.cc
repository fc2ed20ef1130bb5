// Snapshot encoding (canonical entries, digest) and the zstd streaming writer/reader.
#include "common/state/snapshot.h"

#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/record_codec.h"

namespace strongbox::state {
namespace {

using format::GetU32;
using format::GetU64;
using format::PutU32;
using format::PutU64;

constexpr std::string_view kMagic = "SBXSNP01";
constexpr std::string_view kTrailerMagic = "SBXEND01";
constexpr size_t kHeaderBytes = 8 + 4 + 16 + 8 + 8 + 8;

void PutBytes(std::string* out, std::string_view b) {
  PutU32(out, static_cast<uint32_t>(b.size()));
  out->append(b);
}

// Streams bytes into a zstd frame and writes compressed output to the file.
class ZstdFileWriter {
 public:
  ZstdFileWriter(io::File& file, const SnapshotOptions& o) : file_(file) {
    cctx_ = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, o.compression_level);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    if (o.compression_workers > 0) {
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, o.compression_workers);
    }
    out_.resize(ZSTD_CStreamOutSize());
  }
  ~ZstdFileWriter() { ZSTD_freeCCtx(cctx_); }

  absl::Status Write(std::string_view data, bool end = false) {
    raw_bytes_ += data.size();
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      ZSTD_outBuffer o{out_.data(), out_.size(), 0};
      size_t left = ZSTD_compressStream2(cctx_, &o, &in, mode);
      if (ZSTD_isError(left)) {
        return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(left)));
      }
      if (o.pos > 0) {
        if (auto s = file_.WriteAt(offset_, std::string_view(out_.data(), o.pos)); !s.ok()) {
          return s;
        }
        offset_ += o.pos;
      }
      if (end ? left == 0 : in.pos == in.size) return absl::OkStatus();
    }
  }
  uint64_t file_bytes() const { return offset_; }
  uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  io::File& file_;
  ZSTD_CCtx* cctx_;
  std::string out_;
  uint64_t offset_ = 0;
  uint64_t raw_bytes_ = 0;
};

absl::Status Corrupt(const std::string& path, std::string_view why) {
  return absl::DataLossError(absl::StrCat("snapshot ", path, ": ", std::string(why)));
}

}  // namespace

void EncodeEntry(int db, std::string_view key, const Entry& entry, std::string* out) {
  out->push_back(static_cast<char>(db));
  out->push_back(static_cast<char>(entry.type()));
  PutU64(out, static_cast<uint64_t>(entry.expire_at_ms()));
  PutBytes(out, key);
  if (auto s = entry.str()) {
    PutBytes(out, *s);
  } else if (const ZSetValue* z = entry.zset()) {
    // (score, member) order is canonical already.
    PutU32(out, static_cast<uint32_t>(z->size()));
    z->Walk(false, [&](double score, std::string_view member) {
      uint64_t bits;
      std::memcpy(&bits, &score, sizeof(bits));
      PutU64(out, bits);
      PutBytes(out, member);
      return true;
    });
  } else if (const SetValue* set = entry.set()) {
    std::vector<const std::string*> members;
    members.reserve(set->size());
    for (const auto& m : *set) members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    PutU32(out, static_cast<uint32_t>(members.size()));
    for (const auto* m : members) PutBytes(out, *m);
  } else if (const ListValue* l = entry.list()) {
    PutU32(out, static_cast<uint32_t>(l->size()));
    for (const auto& item : *l) PutBytes(out, item);
  } else if (const HashValue* h = entry.hash()) {
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    fields.reserve(h->size());
    h->ForEach([&](std::string_view f, std::string_view v) { fields.emplace_back(f, v); });
    std::sort(fields.begin(), fields.end());
    PutU32(out, static_cast<uint32_t>(fields.size()));
    for (const auto& [f, v] : fields) {
      PutBytes(out, f);
      PutBytes(out, v);
    }
  }
}

absl::Status DecodeEntryInto(State& state, std::string_view e) {
  auto bad = [] { return absl::DataLossError("malformed snapshot entry"); };
  size_t pos = 0;
  auto take = [&](size_t n, std::string_view* out) {
    if (e.size() - pos < n) return false;
    *out = e.substr(pos, n);
    pos += n;
    return true;
  };
  auto take_bytes = [&](std::string_view* out) {
    std::string_view len;
    if (!take(4, &len)) return false;
    return take(GetU32(len.data()), out);
  };
  std::string_view head, key;
  if (!take(10, &head) || !take_bytes(&key)) return bad();
  auto db = static_cast<uint8_t>(head[0]);
  auto type = static_cast<uint8_t>(head[1]);
  auto expire = static_cast<int64_t>(GetU64(head.data() + 2));
  if (db >= kDatabaseCount || expire < 0) return bad();
  Db& d = state.db(db);
  if (d.FindRaw(key) != nullptr) return absl::DataLossError("duplicate key in snapshot");
  Entry& entry = d.Upsert(key);
  if (type == static_cast<uint8_t>(ValueType::kString)) {
    std::string_view v;
    if (!take_bytes(&v)) return bad();
    entry.SetString(v);
  } else if (type == static_cast<uint8_t>(ValueType::kHash)) {
    std::string_view n;
    if (!take(4, &n)) return bad();
    HashValue* h = entry.MakeHash();
    uint32_t count = GetU32(n.data());
    for (uint32_t i = 0; i < count; ++i) {
      std::string_view f, v;
      if (!take_bytes(&f) || !take_bytes(&v)) return bad();
      h->Set(f, v);
    }
  } else if (type == static_cast<uint8_t>(ValueType::kZSet)) {
    std::string_view n;
    if (!take(4, &n)) return bad();
    ZSetValue* z = entry.MakeZSet();
    uint32_t count = GetU32(n.data());
    for (uint32_t i = 0; i < count; ++i) {
      std::string_view bits, member;
      if (!take(8, &bits) || !take_bytes(&member)) return bad();
      uint64_t raw = GetU64(bits.data());
      double score;
      std::memcpy(&score, &raw, sizeof(score));
      if (std::isnan(score)) return bad();
      z->Set(member, score);
    }
  } else if (type == static_cast<uint8_t>(ValueType::kSet)) {
    std::string_view n;
    if (!take(4, &n)) return bad();
    SetValue* set = entry.MakeSet();
    uint32_t count = GetU32(n.data());
    set->reserve(std::min<uint32_t>(count, 1 << 20));
    for (uint32_t i = 0; i < count; ++i) {
      std::string_view m;
      if (!take_bytes(&m)) return bad();
      set->emplace(m);
    }
  } else if (type == static_cast<uint8_t>(ValueType::kList)) {
    std::string_view n;
    if (!take(4, &n)) return bad();
    ListValue* l = entry.MakeList();
    uint32_t count = GetU32(n.data());
    for (uint32_t i = 0; i < count; ++i) {
      std::string_view item;
      if (!take_bytes(&item)) return bad();
      l->emplace_back(item);
    }
  } else {
    return bad();
  }
  d.SetExpiry(key, entry, expire);
  if (pos != e.size()) return bad();
  return absl::OkStatus();
}

uint64_t StateDigest(const State& state) {
  uint64_t digest = 0;
  std::string buf;
  for (int db = 0; db < kDatabaseCount; ++db) {
    for (const auto& entry : state.db(db).map()) {
      buf.clear();
      EncodeEntry(db, entry->key(), *entry, &buf);
      digest += XXH3_64bits(buf.data(), buf.size());
    }
  }
  return digest;
}

absl::StatusOr<SnapshotInfo> WriteSnapshot(io::FileSystem& fs, const std::string& dir,
                                           const format::DatasetId& dataset, uint64_t lsn,
                                           int64_t timestamp_ms, const State& state,
                                           const SnapshotOptions& options) {
  SnapshotInfo info;
  info.lsn = lsn;
  info.timestamp_ms = timestamp_ms;
  info.entry_count = state.TotalKeys();
  info.path = absl::StrCat(dir, "/", format::SnapshotName(lsn));
  std::string tmp = info.path + ".tmp";
  auto file = fs.Open(tmp, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return file.status();
  ZstdFileWriter writer(**file, options);
  std::string buf(kMagic);
  PutU32(&buf, kSnapshotFormatVersion);
  buf.append(reinterpret_cast<const char*>(dataset.data()), dataset.size());
  PutU64(&buf, lsn);
  PutU64(&buf, static_cast<uint64_t>(timestamp_ms));
  PutU64(&buf, info.entry_count);
  std::string entry;
  for (int db = 0; db < kDatabaseCount; ++db) {
    for (const auto& e : state.db(db).map()) {
      entry.clear();
      EncodeEntry(db, e->key(), *e, &entry);
      info.digest += XXH3_64bits(entry.data(), entry.size());
      PutU32(&buf, static_cast<uint32_t>(entry.size()));
      buf.append(entry);
      if (buf.size() >= (1 << 20)) {
        if (auto s = writer.Write(buf); !s.ok()) return s;
        buf.clear();
      }
    }
  }
  buf.append(kTrailerMagic);
  PutU64(&buf, info.entry_count);
  PutU64(&buf, info.digest);
  if (auto s = writer.Write(buf, /*end=*/true); !s.ok()) return s;
  info.file_bytes = writer.file_bytes();
  info.raw_bytes = writer.raw_bytes();
  if (auto s = (*file)->Fsync(); !s.ok()) return s;
  file->reset();
  if (auto s = fs.Rename(tmp, info.path); !s.ok()) return s;
  if (auto s = fs.FsyncDir(dir); !s.ok()) return s;
  return info;
}

absl::StatusOr<SnapshotInfo> LoadSnapshot(io::FileSystem& fs, const std::string& path,
                                          const std::optional<format::DatasetId>& dataset,
                                          State* state) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  SnapshotInfo info;
  info.path = path;
  info.file_bytes = *size;

  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string in_buf(ZSTD_DStreamInSize(), '\0');
  std::string out_buf(ZSTD_DStreamOutSize(), '\0');
  std::string raw;  // decompressed bytes not consumed yet
  size_t raw_pos = 0;
  uint64_t file_pos = 0;
  bool frame_done = false;
  auto cleanup = [&] { ZSTD_freeDCtx(dctx); };
  // Ensures `n` decompressed bytes are available at raw[raw_pos].
  auto need = [&](size_t n) -> absl::Status {
    while (raw.size() - raw_pos < n) {
      if (frame_done) return Corrupt(path, "truncated content");
      if (raw_pos > (1 << 20)) {
        raw.erase(0, raw_pos);
        raw_pos = 0;
      }
      auto chunk = (*file)->ReadAt(file_pos, in_buf.size());
      if (!chunk.ok()) return chunk.status();
      if (chunk->empty()) return Corrupt(path, "truncated zstd frame");
      file_pos += chunk->size();
      ZSTD_inBuffer in{chunk->data(), chunk->size(), 0};
      while (in.pos < in.size) {
        ZSTD_outBuffer o{out_buf.data(), out_buf.size(), 0};
        size_t r = ZSTD_decompressStream(dctx, &o, &in);
        if (ZSTD_isError(r)) {
          return Corrupt(path, absl::StrCat("zstd: ", ZSTD_getErrorName(r)));
        }
        raw.append(out_buf.data(), o.pos);
        info.raw_bytes += o.pos;
        if (r == 0) {
          frame_done = true;
          if (in.pos != in.size || file_pos != *size) {
            return Corrupt(path, "bytes after the zstd frame");
          }
          break;
        }
      }
    }
    return absl::OkStatus();
  };
  auto fail = [&](absl::Status s) {
    cleanup();
    return s;
  };
  if (auto s = need(kHeaderBytes); !s.ok()) return fail(s);
  std::string_view h(raw.data(), kHeaderBytes);
  if (h.substr(0, 8) != kMagic) return fail(Corrupt(path, "bad magic"));
  if (GetU32(h.data() + 8) != kSnapshotFormatVersion) {
    return fail(Corrupt(path, "unsupported snapshot format version"));
  }
  format::DatasetId id;
  std::copy(h.data() + 12, h.data() + 28, reinterpret_cast<char*>(id.data()));
  if (dataset && *dataset != id) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("snapshot ", path, " belongs to data set ", format::DatasetIdHex(id),
                     ", expected ", format::DatasetIdHex(*dataset))));
  }
  info.lsn = GetU64(h.data() + 28);
  info.timestamp_ms = static_cast<int64_t>(GetU64(h.data() + 36));
  info.entry_count = GetU64(h.data() + 44);
  raw_pos = kHeaderBytes;
  uint64_t digest = 0;
  for (uint64_t i = 0; i < info.entry_count; ++i) {
    if (auto s = need(4); !s.ok()) return fail(s);
    uint32_t len = GetU32(raw.data() + raw_pos);
    if (len > (1u << 30)) return fail(Corrupt(path, "entry too large"));
    if (auto s = need(4 + len); !s.ok()) return fail(s);
    std::string_view entry(raw.data() + raw_pos + 4, len);
    digest += XXH3_64bits(entry.data(), entry.size());
    if (state != nullptr) {
      if (auto s = DecodeEntryInto(*state, entry); !s.ok())
        return fail(Corrupt(path, std::string(s.message())));
    }
    raw_pos += 4 + len;
  }
  if (auto s = need(24); !s.ok()) return fail(s);
  std::string_view t(raw.data() + raw_pos, 24);
  raw_pos += 24;
  if (t.substr(0, 8) != kTrailerMagic || GetU64(t.data() + 8) != info.entry_count) {
    return fail(Corrupt(path, "bad trailer"));
  }
  info.digest = GetU64(t.data() + 16);
  if (digest != info.digest) return fail(Corrupt(path, "state digest mismatch"));
  // The frame's content checksum is verified by zstd when the frame ends: read to the end.
  absl::Status tail = need(1);
  if (tail.ok()) return fail(Corrupt(path, "bytes after the trailer"));
  if (!frame_done || raw.size() != raw_pos) return fail(tail);
  cleanup();
  return info;
}

}  // namespace strongbox::state
