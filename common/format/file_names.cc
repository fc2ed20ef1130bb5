// Builds and parses the file names described in file_names.h.
#include "common/format/file_names.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace strongbox::format {

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

std::string SnapshotRequestName(uint64_t lsn) {
  return absl::StrCat("snapshot-request-", LsnDigits(lsn), ".req");
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

bool ParseSnapshotRequestName(std::string_view name_std, uint64_t* lsn) {
  absl::string_view rest(name_std.data(), name_std.size());
  return absl::ConsumePrefix(&rest, "snapshot-request-") && absl::ConsumeSuffix(&rest, ".req") &&
         ParseDigits(rest, lsn);
}

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
    if (ParseDigits(rest, &p.lsn_last)) p.kind = FileKind::kSnapshot;
    return p;
  }
  rest = name;
  if (!absl::ConsumePrefix(&rest, "cmdlog-")) return p;
  if (absl::ConsumeSuffix(&rest, ".active")) {
    if (ParseDigits(rest, &p.lsn_first)) p.kind = FileKind::kActive;
    return p;
  }
  FileKind kind = FileKind::kSealed;
  if (absl::ConsumeSuffix(&rest, ".log.zst")) {
    kind = FileKind::kArchivedSegment;
  } else if (!absl::ConsumeSuffix(&rest, ".log")) {
    return p;
  }
  if (rest.size() == 41 && rest[20] == '-' && ParseDigits(rest.substr(0, 20), &p.lsn_first) &&
      ParseDigits(rest.substr(21), &p.lsn_last) && p.lsn_last + 1 >= p.lsn_first) {
    p.kind = kind;
  }
  return p;
}

}  // namespace strongbox::format
