// Snapshot encoding (canonical entries, digest), writing and verified loading.
#include "common/state/snapshot.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/format/file_names.h"
#include "common/format/record_codec.h"
#include "common/format/zstd_frame.h"
#include "common/format/zstd_prefetch.h"
#include "common/state/parallel_load.h"
#include "common/state/snapshot_decode.h"
#include "common/state/stream_groups.h"

namespace strongbox::state {
namespace {

using format::GetU32;
using format::GetU64;
using format::PutU32;
using format::PutU64;

constexpr std::string_view kMagic = "SBXSNP01";
constexpr std::string_view kTrailerMagic = "SBXEND01";
constexpr std::string_view kLibrariesMagic = "SBXLIB01";
constexpr size_t kHeaderBytes = 8 + 4 + 16 + 8 + 8 + 8;

void PutBytes(std::string* out, std::string_view b) {
  PutU32(out, static_cast<uint32_t>(b.size()));
  out->append(b);
}

absl::Status Corrupt(const std::string& path, std::string_view why) {
  return absl::DataLossError(absl::StrCat("snapshot ", path, ": ", std::string(why)));
}

// The decompressed content of a snapshot file, consumed front to back; consumed bytes are
// dropped once a megabyte of them piles up, so a large snapshot never sits in memory whole.
class ContentReader {
 public:
  ContentReader(io::File& file, uint64_t file_bytes, const std::string& path)
      : path_(path), frame_(file, file_bytes, absl::StrCat("snapshot ", path, ": ")) {}

  // Makes `n` bytes available at data().
  absl::Status Need(size_t n) {
    while (raw_.size() - pos_ < n) {
      if (frame_.frame_done()) return Corrupt(path_, "truncated content");
      if (pos_ > (1 << 20)) {
        raw_.erase(0, pos_);
        pos_ = 0;
      }
      if (auto s = frame_.ReadMore(&raw_); !s.ok()) {
        // The frame may have ended while this waited for a chunk: the same as ending before.
        return frame_.frame_done() ? Corrupt(path_, "truncated content") : s;
      }
    }
    return absl::OkStatus();
  }
  const char* data() const { return raw_.data() + pos_; }
  void Skip(size_t n) { pos_ += n; }
  // The frame ended (so zstd verified its checksum) and every byte of it was consumed.
  bool consumed_all() { return frame_.frame_done() && raw_.size() == pos_; }
  uint64_t raw_bytes() { return frame_.raw_bytes(); }

 private:
  const std::string& path_;
  // Decompression runs a few chunks ahead on its own thread while this one decodes and
  // inserts (restart time).
  format::ZstdFramePrefetcher frame_;
  std::string raw_;  // decompressed bytes, not consumed from pos_ on
  size_t pos_ = 0;
};

void PutId(std::string* out, StreamId id) {
  PutU64(out, id.ms);
  PutU64(out, id.seq);
}

// Version 3: a stream with consumer groups appends them (none: nothing, as before), so a
// stream's encoding without groups is unchanged. Consumers' own PEL lists follow from the
// owners named in the group's PEL.
void EncodeGroups(const StreamGroups& groups, std::string* out) {
  PutU32(out, static_cast<uint32_t>(groups.by_name.size()));
  for (const auto& [name, g] : groups.by_name) {
    PutBytes(out, name);
    PutId(out, g.last_delivered_id);
    PutU64(out, static_cast<uint64_t>(g.entries_read));
    PutU32(out, static_cast<uint32_t>(g.consumers.size()));
    for (const auto& [consumer, c] : g.consumers) {
      PutBytes(out, consumer);
      PutU64(out, static_cast<uint64_t>(c.seen_time_ms));
    }
    PutU32(out, static_cast<uint32_t>(g.pel.size()));
    for (const auto& [id, p] : g.pel) {
      PutId(out, id);
      PutU64(out, static_cast<uint64_t>(p.delivery_time_ms));
      PutU64(out, p.delivery_count);
      PutBytes(out, p.consumer);
    }
  }
}

// Type 5: last id, max deleted id, entries added, then count and per entry its id, a field
// count and the fields (see docs/format.md).
void EncodeStream(const StreamValue& st, std::string* out) {
  PutId(out, st.last_id);
  PutId(out, st.max_deleted_id);
  PutU64(out, st.entries_added);
  PutU32(out, static_cast<uint32_t>(st.size()));
  for (const auto& [id, fields] : st.entries) {
    PutId(out, id);
    PutU32(out, static_cast<uint32_t>(fields.size()));
    for (std::string_view f : fields) PutBytes(out, f);
  }
  if (GroupCount(st) != 0) EncodeGroups(*st.groups.get(), out);
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
  } else if (const StreamValue* st = entry.stream()) {
    EncodeStream(*st, out);
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
  DecodedEntry decoded;
  absl::Status s = DecodeEntry(e, &decoded);
  return InsertDecoded(state, decoded, s);
}

uint64_t StateDigest(const State& state) {
  uint64_t digest = 0;
  std::string buf;
  for (int db = 0; db < kDatabaseCount; ++db) {
    for (const auto& entry : state.db(db).table()) {
      buf.clear();
      EncodeEntry(db, entry->key(), *entry, &buf);
      digest += XXH3_64bits(buf.data(), buf.size());
    }
  }
  return digest;
}

namespace {

void AppendLibraries(const State& state, std::string* buf) {
  buf->append(kLibrariesMagic);
  PutU32(buf, static_cast<uint32_t>(state.libraries().size()));
  for (const auto& [name, code] : state.libraries()) {
    PutU32(buf, static_cast<uint32_t>(name.size()));
    buf->append(name);
    PutU32(buf, static_cast<uint32_t>(code.size()));
    buf->append(code);
  }
}

}  // namespace

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
  format::ZstdFrameWriter writer(**file, options.compression_level, options.compression_workers);
  std::string buf(kMagic);
  PutU32(&buf, kSnapshotFormatVersion);
  buf.append(reinterpret_cast<const char*>(dataset.data()), dataset.size());
  PutU64(&buf, lsn);
  PutU64(&buf, static_cast<uint64_t>(timestamp_ms));
  PutU64(&buf, info.entry_count);
  std::string entry;
  for (int db = 0; db < kDatabaseCount; ++db) {
    for (const auto& e : state.db(db).table()) {
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
  AppendLibraries(state, &buf);
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

namespace {

// Reads the header into *info; the data set must match when one is given.
absl::Status ReadHeader(ContentReader& in, const std::string& path,
                        const std::optional<format::DatasetId>& dataset, SnapshotInfo* info,
                        uint32_t* version) {
  if (auto s = in.Need(kHeaderBytes); !s.ok()) return s;
  std::string_view h(in.data(), kHeaderBytes);
  if (h.substr(0, 8) != kMagic) return Corrupt(path, "bad magic");
  *version = GetU32(h.data() + 8);
  if (*version < kSnapshotFormatVersionMin || *version > kSnapshotFormatVersion) {
    return Corrupt(
        path, absl::StrCat("unsupported snapshot format version ", *version, " (this build reads ",
                           kSnapshotFormatVersionMin, " to ", kSnapshotFormatVersion, ")"));
  }
  format::DatasetId id;
  std::copy(h.data() + 12, h.data() + 28, reinterpret_cast<char*>(id.data()));
  if (dataset && *dataset != id) {
    return absl::FailedPreconditionError(absl::StrCat("snapshot ", path, " belongs to data set ",
                                                      format::DatasetIdHex(id), ", expected ",
                                                      format::DatasetIdHex(*dataset)));
  }
  info->lsn = GetU64(h.data() + 28);
  info->timestamp_ms = static_cast<int64_t>(GetU64(h.data() + 36));
  info->entry_count = GetU64(h.data() + 44);
  in.Skip(kHeaderBytes);
  return absl::OkStatus();
}

// Reads one u32-length-prefixed string.
absl::Status ReadString(ContentReader& in, const std::string& path, std::string* out) {
  if (auto s = in.Need(4); !s.ok()) return s;
  uint32_t len = GetU32(in.data());
  if (len > (1u << 30)) return Corrupt(path, "library too large");
  if (auto s = in.Need(4 + len); !s.ok()) return s;
  out->assign(in.data() + 4, len);
  in.Skip(4 + len);
  return absl::OkStatus();
}

// The version 2 library section (into *state if given).
absl::Status ReadLibraries(ContentReader& in, const std::string& path, State* state) {
  if (auto s = in.Need(12); !s.ok()) return s;
  if (std::string_view(in.data(), 8) != kLibrariesMagic) return Corrupt(path, "bad library magic");
  uint32_t count = GetU32(in.data() + 8);
  in.Skip(12);
  std::string name, code;
  for (uint32_t i = 0; i < count; ++i) {
    if (auto s = ReadString(in, path, &name); !s.ok()) return s;
    if (auto s = ReadString(in, path, &code); !s.ok()) return s;
    if (state != nullptr) state->SetLibrary(name, code);
  }
  return absl::OkStatus();
}

// Makes the next framed entry (u32 length | entry) available at in.data().
absl::Status NeedEntry(ContentReader& in, const std::string& path, uint32_t* len) {
  if (auto s = in.Need(4); !s.ok()) return s;
  *len = GetU32(in.data());
  if (*len > (1u << 30)) return Corrupt(path, "entry too large");
  return in.Need(4 + size_t{*len});
}

// One thread: decodes (into *state if given) a few entries, then inserts them, so that their
// inserts' cache misses overlap (InsertBatch).
absl::Status LoadEntriesSerial(ContentReader& in, const std::string& path, State* state,
                               uint64_t entry_count, uint64_t* digest) {
  constexpr size_t kBatchEntries = 32;
  std::optional<TableSizer> sizer;
  if (state != nullptr) sizer.emplace(*state, entry_count);
  std::vector<DecodedEntry> batch;
  auto insert = [&](const absl::Status& last) {
    absl::Status s = state != nullptr ? InsertBatch(*state, *sizer, batch, last) : last;
    batch.clear();
    return s.ok() ? s : Corrupt(path, std::string(s.message()));
  };
  for (uint64_t i = 0; i < entry_count; ++i) {
    uint32_t len = 0;
    if (auto s = NeedEntry(in, path, &len); !s.ok()) {
      if (auto earlier = insert(absl::OkStatus()); !earlier.ok()) return earlier;
      return s;
    }
    std::string_view entry(in.data() + 4, len);
    *digest += XXH3_64bits(entry.data(), entry.size());
    if (state != nullptr) {
      absl::Status s = DecodeEntry(entry, &batch.emplace_back());
      if (!s.ok() || batch.size() >= kBatchEntries) {
        if (s = insert(s); !s.ok()) return s;
      }
    }
    in.Skip(4 + len);
  }
  if (auto s = insert(absl::OkStatus()); !s.ok()) return s;
  if (sizer) sizer->Finish();
  return absl::OkStatus();
}

// Worker threads decode chunks of entries while this one cuts and inserts them
// (parallel_load.h). An entry's error comes before a framing error found after it, as with
// one thread.
absl::Status LoadEntriesParallel(ContentReader& in, const std::string& path, State& state,
                                 uint64_t entry_count, int workers, uint64_t* digest) {
  constexpr size_t kChunkBytes = 256 << 10;
  ParallelEntryLoader loader(state, entry_count, workers);
  auto entry_error = [&](const absl::Status& s) { return Corrupt(path, std::string(s.message())); };
  std::string chunk;
  for (uint64_t i = 0; i < entry_count; ++i) {
    uint32_t len = 0;
    if (auto s = NeedEntry(in, path, &len); !s.ok()) {
      // The entries before the damage come first: one of them may be damaged too.
      absl::Status earlier = chunk.empty() ? absl::OkStatus() : loader.Submit(std::move(chunk));
      if (earlier.ok()) earlier = loader.Finish(digest);
      return earlier.ok() ? s : entry_error(earlier);
    }
    chunk.append(in.data(), 4 + size_t{len});
    in.Skip(4 + len);
    if (chunk.size() >= kChunkBytes || i + 1 == entry_count) {
      if (auto s = loader.Submit(std::move(chunk)); !s.ok()) return entry_error(s);
      chunk.clear();
    }
  }
  if (auto s = loader.Finish(digest); !s.ok()) return entry_error(s);
  return absl::OkStatus();
}

// Reads the entries (into *state if given) and the trailer; count and digest must match.
absl::Status ReadEntries(ContentReader& in, const std::string& path, State* state,
                         SnapshotInfo* info, uint32_t version, const LoadOptions& options) {
  uint64_t digest = 0;
  bool parallel = state != nullptr && options.decode_threads > 1 && info->entry_count > 0;
  absl::Status loaded = parallel ? LoadEntriesParallel(in, path, *state, info->entry_count,
                                                       options.decode_threads, &digest)
                                 : LoadEntriesSerial(in, path, state, info->entry_count, &digest);
  if (!loaded.ok()) return loaded;
  if (version >= 2) {
    if (auto s = ReadLibraries(in, path, state); !s.ok()) return s;
  }
  if (auto s = in.Need(24); !s.ok()) return s;
  std::string_view t(in.data(), 24);
  in.Skip(24);
  if (t.substr(0, 8) != kTrailerMagic || GetU64(t.data() + 8) != info->entry_count) {
    return Corrupt(path, "bad trailer");
  }
  info->digest = GetU64(t.data() + 16);
  if (digest != info->digest) return Corrupt(path, "state digest mismatch");
  return absl::OkStatus();
}

}  // namespace

int DefaultLoadThreads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

absl::StatusOr<SnapshotInfo> LoadSnapshot(io::FileSystem& fs, const std::string& path,
                                          const std::optional<format::DatasetId>& dataset,
                                          State* state, const LoadOptions& options) {
  auto file = fs.Open(path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  SnapshotInfo info;
  info.path = path;
  info.file_bytes = *size;
  ContentReader in(**file, *size, path);
  uint32_t version = 0;
  if (auto s = ReadHeader(in, path, dataset, &info, &version); !s.ok()) return s;
  if (auto s = ReadEntries(in, path, state, &info, version, options); !s.ok()) return s;
  // The frame's content checksum is verified by zstd when the frame ends: read to the end.
  absl::Status tail = in.Need(1);
  if (tail.ok()) return Corrupt(path, "bytes after the trailer");
  if (!in.consumed_all()) return tail;
  info.raw_bytes = in.raw_bytes();
  return info;
}

}  // namespace strongbox::state
