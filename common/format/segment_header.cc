// Encodes and checks the segment header; the layout is in segment_header.h.
#include "common/format/segment_header.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/format/record_codec.h"

namespace strongbox::format {

std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string out(kSegmentMagic);
  PutU32(&out, h.format_version);
  PutU32(&out, kSegmentHeaderBytes);
  out.append(reinterpret_cast<const char*>(h.dataset_id.data()), h.dataset_id.size());
  PutU64(&out, h.lsn_first);
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
  h.lsn_first = GetU64(b.data() + 32);
  h.created_ms = static_cast<int64_t>(GetU64(b.data() + 40));
  return h;
}

}  // namespace strongbox::format
