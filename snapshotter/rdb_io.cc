// RDB files: the opcodes around the values (rdb.h's RDB_OPCODE_*), the header and the
// checksummed end. Values go through common/rdb; a value becomes state through the effects
// (ForEachEffect + ApplyOp), the same path a RESTORE takes in the engine.
#include "snapshotter/rdb_io.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/format/dataset_id.h"
#include "common/rdb/crc64.h"
#include "common/rdb/dump_payload.h"
#include "common/rdb/rdb_value.h"
#include "common/rdb/rdb_writer.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "snapshotter/offline.h"

namespace strongbox::snapshotter {
namespace {

constexpr uint8_t kOpFunction2 = 245;
constexpr uint8_t kOpFunctionPre7 = 246;
constexpr uint8_t kOpModuleAux = 247;
constexpr uint8_t kOpIdle = 248;
constexpr uint8_t kOpFreq = 249;
constexpr uint8_t kOpAux = 250;
constexpr uint8_t kOpResizeDb = 251;
constexpr uint8_t kOpExpireTimeMs = 252;
constexpr uint8_t kOpExpireTime = 253;
constexpr uint8_t kOpSelectDb = 254;
constexpr uint8_t kOpEof = 255;
constexpr std::string_view kMagic = "REDIS";
constexpr int kRdbVersionWithChecksum = 5;
constexpr int kRdbVersionReadMax = 11;  // 7.2's files load as long as they use no newer type
// The snapshot an imported data set starts from: the engine continues the log after it.
constexpr uint64_t kImportedSnapshotLsn = 1;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status Damaged(const rdb::Reader& r, std::string_view why) {
  return absl::DataLossError(
      absl::StrCat("RDB damaged at byte ", r.position(), ": ", std::string(why)));
}

// The library name in a FUNCTION LOAD text's shebang ("#!lua name=mylib ...").
std::string LibraryName(std::string_view code) {
  std::string_view first_line = code.substr(0, code.find('\n'));
  size_t at = first_line.find(" name=");
  if (at == std::string_view::npos) return "";
  std::string_view rest = first_line.substr(at + 6);
  return std::string(rest.substr(0, rest.find(' ')));
}

// One key: its value decoded and turned into effects applied to the state.
absl::Status ReadKey(uint8_t type, rdb::Reader& r, int db, int64_t expire_at_ms, int64_t now_ms,
                     state::State* st, RdbImportStats* stats) {
  std::string key = r.String();
  if (!r.ok()) return Damaged(r, r.error());
  auto value = rdb::DecodeValue(type, r);
  if (!value.ok())
    return Damaged(r, absl::StrCat("key '", key, "': ", std::string(value.status().message())));
  if (expire_at_ms != 0 && expire_at_ms <= now_ms) {
    ++stats->expired_skipped;
    return absl::OkStatus();
  }
  if (st->db(db).FindRaw(key) != nullptr) return Damaged(r, "duplicate key '" + key + "'");
  absl::Status applied;
  rdb::ForEachEffect(key, *value, expire_at_ms, [&](std::span<const std::string_view> argv) {
    if (applied.ok()) applied = state::ApplyOp(*st, static_cast<uint8_t>(db), argv);
  });
  ++stats->keys;
  return applied;
}

absl::Status ReadHeader(rdb::Reader& r, int* version) {
  std::string_view head = r.Raw(9);
  if (!r.ok() || head.substr(0, 5) != kMagic) return Damaged(r, "not an RDB file");
  *version = 0;
  for (char c : head.substr(5)) {
    if (c < '0' || c > '9') return Damaged(r, "bad RDB version");
    *version = *version * 10 + (c - '0');
  }
  if (*version < 1 || *version > kRdbVersionReadMax) {
    return Damaged(r, absl::StrCat("RDB version ", *version, " is not supported"));
  }
  return absl::OkStatus();
}

absl::Status ReadEnd(rdb::Reader& r, std::string_view bytes, int version) {
  if (version < kRdbVersionWithChecksum) return absl::OkStatus();
  size_t body_bytes = r.position();
  uint64_t expected = r.U64LE();
  if (!r.ok()) return Damaged(r, "no checksum after EOF");
  // A zero checksum means the writer had rdbchecksum off.
  if (expected != 0 && expected != rdb::Crc64(0, bytes.substr(0, body_bytes))) {
    return Damaged(r, "wrong checksum");
  }
  return absl::OkStatus();
}

void AppendAux(std::string_view name, std::string_view value, std::string* out) {
  out->push_back(static_cast<char>(kOpAux));
  rdb::AppendString(name, out);
  rdb::AppendString(value, out);
}

}  // namespace

absl::Status ReadRdb(std::string_view bytes, int64_t now_ms, state::State* st,
                     RdbImportStats* stats) {
  rdb::Reader r(bytes);
  int version = 0;
  if (absl::Status s = ReadHeader(r, &version); !s.ok()) return s;
  int db = 0;
  int64_t expire_at_ms = 0;
  while (true) {
    uint8_t op = r.U8();
    if (!r.ok()) return Damaged(r, "no EOF marker");
    switch (op) {
      case kOpEof:
        return ReadEnd(r, bytes, version);
      case kOpSelectDb: {
        uint64_t index = r.Length();
        if (!r.ok() || index >= state::kDatabaseCount) return Damaged(r, "bad database index");
        db = static_cast<int>(index);
        continue;
      }
      case kOpResizeDb:
        r.Length();
        r.Length();
        continue;
      case kOpAux:
        r.String();
        r.String();
        continue;
      case kOpExpireTimeMs:
        expire_at_ms = r.MillisLE();
        continue;
      case kOpExpireTime:
        expire_at_ms = int64_t{r.U32LE()} * 1000;
        continue;
      case kOpFreq:
        r.U8();
        continue;
      case kOpIdle:
        r.Length();
        continue;
      case kOpFunction2: {
        std::string code = r.String();
        std::string name = LibraryName(code);
        if (!r.ok() || name.empty()) return Damaged(r, "function library without a name");
        st->SetLibrary(name, code);
        ++stats->libraries;
        continue;
      }
      case kOpFunctionPre7:
      case kOpModuleAux:
        return Damaged(r, "module data and pre-release function records are not supported");
      default:
        break;
    }
    if (!rdb::IsValueType(op)) return Damaged(r, absl::StrCat("unknown type ", op));
    if (absl::Status s = ReadKey(op, r, db, expire_at_ms, now_ms, st, stats); !s.ok()) return s;
    expire_at_ms = 0;
  }
}

std::string WriteRdb(const state::State& st, int64_t now_ms) {
  std::string out = std::string(kMagic) + "00" + std::to_string(rdb::kRdbVersion);
  AppendAux("redis-ver", "7.0.0", &out);
  AppendAux("redis-bits", "64", &out);
  AppendAux("ctime", std::to_string(now_ms / 1000), &out);
  for (const auto& [name, code] : st.libraries()) {
    out.push_back(static_cast<char>(kOpFunction2));
    rdb::AppendString(code, &out);
  }
  for (int db = 0; db < state::kDatabaseCount; ++db) {
    const state::Db& d = st.db(db);
    if (d.size() == 0) continue;
    out.push_back(static_cast<char>(kOpSelectDb));
    rdb::AppendLength(static_cast<uint64_t>(db), &out);
    out.push_back(static_cast<char>(kOpResizeDb));
    rdb::AppendLength(d.size(), &out);
    rdb::AppendLength(d.expires(), &out);
    for (const state::Entry* e : d.table()) {
      if (e->expired(now_ms)) continue;
      if (e->expire_at_ms() != 0) {
        out.push_back(static_cast<char>(kOpExpireTimeMs));
        rdb::AppendU64LE(static_cast<uint64_t>(e->expire_at_ms()), &out);
      }
      std::string value;
      rdb::EncodeValue(*e, &value);
      out.push_back(value[0]);  // the type byte comes before the key
      rdb::AppendString(e->key(), &out);
      out.append(value, 1);
    }
  }
  out.push_back(static_cast<char>(kOpEof));
  rdb::AppendU64LE(rdb::Crc64(0, out), &out);
  return out;
}

int RunImportRdb(const std::string& rdb_path, const std::string& dir) {
  io::FileSystem& fs = io::DefaultFileSystem();
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "import-rdb: %s\n", m.c_str());
    return 1;
  };
  auto file = fs.Open(rdb_path, io::FileSystem::OpenMode::kRead);
  if (!file.ok()) return fail(file.status().ToString());
  auto size = (*file)->Size();
  if (!size.ok()) return fail(size.status().ToString());
  auto bytes = (*file)->ReadAt(0, *size);
  if (!bytes.ok()) return fail(bytes.status().ToString());
  state::State st;
  RdbImportStats stats;
  int64_t now_ms = NowMs();
  if (absl::Status s = ReadRdb(*bytes, now_ms, &st, &stats); !s.ok()) return fail(s.ToString());
  if (auto s = fs.CreateDir(dir); !s.ok()) return fail(s.ToString());
  auto existing = fs.ListDir(dir);
  if (!existing.ok()) return fail(existing.status().ToString());
  if (!existing->empty()) return fail(dir + " is not empty; import into an empty directory");
  auto id = format::LoadOrCreateDatasetId(fs, dir);
  if (!id.ok()) return fail(id.status().ToString());
  auto info = state::WriteSnapshot(fs, dir, *id, kImportedSnapshotLsn, now_ms, st, {});
  if (!info.ok()) return fail(info.status().ToString());
  std::printf("imported %llu keys, %llu function libraries (%llu expired keys skipped) into %s\n",
              static_cast<unsigned long long>(stats.keys),
              static_cast<unsigned long long>(stats.libraries),
              static_cast<unsigned long long>(stats.expired_skipped), info->path.c_str());
  return 0;
}

int RunExportRdb(const std::string& dir, const std::string& archive_dir, uint64_t to_lsn,
                 int64_t to_time_ms, const std::string& out_path) {
  io::FileSystem& fs = io::DefaultFileSystem();
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "export-rdb: %s\n", m.c_str());
    return 1;
  };
  auto replayed = ReplayTo(fs, dir, archive_dir, to_lsn, to_time_ms, "export-rdb");
  if (!replayed.ok()) return fail(replayed.status().ToString());
  std::string image = WriteRdb((*replayed)->state(), NowMs());
  std::string tmp = out_path + ".tmp";
  auto file = fs.Open(tmp, io::FileSystem::OpenMode::kCreateOrTruncate);
  if (!file.ok()) return fail(file.status().ToString());
  if (auto s = (*file)->WriteAt(0, image); !s.ok()) return fail(s.ToString());
  if (auto s = (*file)->Fsync(); !s.ok()) return fail(s.ToString());
  file->reset();
  if (auto s = fs.Rename(tmp, out_path); !s.ok()) return fail(s.ToString());
  std::printf("exported LSN %llu (%zu keys) to %s\n",
              static_cast<unsigned long long>((*replayed)->lsn_applied()),
              (*replayed)->state().TotalKeys(), out_path.c_str());
  return 0;
}

}  // namespace strongbox::snapshotter
