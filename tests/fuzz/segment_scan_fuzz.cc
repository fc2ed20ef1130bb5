// Fuzzes the segment scanner (ScanSegmentBytes) over arbitrary bytes, behind a valid header,
// and over segments assembled from records with valid checksums mixed with garbage, zeros and
// cuts, so torn tails, rot, LSN gaps and seals all occur. Checks the scan's own accounting and
// recovery's contract: cutting a clean or torn segment at valid_bytes scans clean with the same
// records.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/dataset_id.h"
#include "common/format/record_codec.h"
#include "common/format/segment_header.h"
#include "common/format/segment_reader.h"
#include "common/util/check.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

namespace format = strongbox::format;
using strongbox::fuzz::FuzzInput;

constexpr format::DatasetId kDataset = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// Appends records, garbage and cuts the input describes after a valid header.
std::string Assemble(FuzzInput& in, uint64_t lsn_first) {
  format::SegmentHeader header;
  header.dataset_id = kDataset;
  header.lsn_first = lsn_first;
  std::string out = format::EncodeSegmentHeader(header);
  uint64_t lsn_next = lsn_first, count = 0;
  while (!in.empty()) {
    uint8_t op = in.Byte();
    switch (op % 8) {
      case 0:
      case 1:
      case 2: {  // the next data record, one op of argv taken from the input
        format::RecordBuilder builder(&out);
        builder.Begin(op % 8 == 2 ? lsn_next + in.Byte() - 128 : lsn_next, 7);
        std::vector<std::string_view> argv = {"SET", in.Bytes(in.Byte() % 8), in.Bytes(in.Byte())};
        builder.AddOp(in.Byte() % 17, argv);
        builder.Finish();
        ++lsn_next;
        ++count;
        break;
      }
      case 3:  // a seal, consistent unless the input says otherwise
        format::AppendSealRecord(&out, lsn_next - 1 + (in.Byte() == 0xff ? 1 : 0), count, 7);
        break;
      case 4:  // garbage
        out.append(in.Bytes(in.Byte()));
        break;
      case 5:  // zeros (a preallocated tail)
        out.append(in.Byte(), '\0');
        break;
      case 6:  // a cut (torn write)
        out.resize(out.size() - std::min<size_t>(out.size(), in.Byte()));
        break;
      case 7:  // one flipped bit (rot)
        if (!out.empty()) {
          size_t at = (size_t{in.Byte()} << 8 | in.Byte()) % out.size();
          out[at] = static_cast<char>(out[at] ^ (1 << (in.Byte() % 8)));
        }
        break;
    }
  }
  return out;
}

struct Seen {
  uint64_t records = 0;
  uint64_t lsn_last = 0;
};

absl::StatusOr<format::SegmentScan> Scan(std::string_view data, bool sealed,
                                         const std::optional<format::DatasetId>& dataset,
                                         uint64_t fail_at, Seen* seen) {
  return format::ScanSegmentBytes(
      "fuzz.log", data, sealed, dataset, [&](const format::RecordView& r) -> absl::Status {
        SB_CHECK(seen->records == 0 || r.lsn == seen->lsn_last + 1, "LSNs not contiguous");
        ++seen->records;
        seen->lsn_last = r.lsn;
        if (seen->records == fail_at) return absl::CancelledError("fuzz");
        return absl::OkStatus();
      });
}

void CheckScan(std::string_view data, bool sealed, const std::optional<format::DatasetId>& dataset,
               uint64_t fail_at) {
  Seen seen;
  auto scan = Scan(data, sealed, dataset, fail_at, &seen);
  if (!scan.ok()) {
    SB_CHECK(absl::IsCancelled(scan.status()) && seen.records == fail_at, "scan failed with %s",
             scan.status().ToString().c_str());
    return;
  }
  SB_CHECK(scan->file_bytes == data.size() && scan->valid_bytes <= scan->file_bytes,
           "valid %zu / file %zu bytes", size_t(scan->valid_bytes), size_t(scan->file_bytes));
  SB_CHECK(scan->record_count == seen.records, "record_count %zu, %zu records seen",
           size_t(scan->record_count), size_t(seen.records));
  SB_CHECK(seen.records == 0 || scan->lsn_last == seen.lsn_last, "lsn_last differs");
  if (scan->end == format::SegmentEnd::kDamage) {
    SB_CHECK(!scan->problem.empty(), "damage without a description");
    return;
  }
  SB_CHECK(!sealed || scan->end == format::SegmentEnd::kSealed, "sealed segment ends unsealed");
  if (scan->valid_bytes < format::kSegmentHeaderBytes) return;  // header never written
  SB_CHECK(scan->end != format::SegmentEnd::kTornTail ||
               (scan->problem_offset == scan->valid_bytes && !scan->problem.empty()),
           "torn tail at %zu, valid bytes %zu", size_t(scan->problem_offset),
           size_t(scan->valid_bytes));
  // Recovery cuts the segment at valid_bytes: what is left scans clean, the same records.
  Seen again_seen;
  auto again = Scan(data.substr(0, scan->valid_bytes), scan->end == format::SegmentEnd::kSealed,
                    dataset, 0, &again_seen);
  SB_CHECK(again.ok(), "the cut segment fails: %s", again.status().ToString().c_str());
  SB_CHECK(again->end == (scan->end == format::SegmentEnd::kSealed ? format::SegmentEnd::kSealed
                                                                   : format::SegmentEnd::kClean),
           "the cut segment ends as %d, not clean", static_cast<int>(again->end));
  SB_CHECK(again->record_count == scan->record_count && again->lsn_last == scan->lsn_last &&
               again->valid_bytes == scan->valid_bytes,
           "the cut segment holds other records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(std::string_view(reinterpret_cast<const char*>(data), size));
  uint8_t mode = in.Byte();
  bool sealed = mode & 1;
  std::optional<format::DatasetId> dataset;
  if (mode & 2) dataset = kDataset;
  uint64_t fail_at = (mode & 4) ? in.Byte() % 4 + 1 : 0;
  std::string bytes;
  switch ((mode >> 3) % 3) {
    case 0:  // arbitrary bytes
      bytes = std::string(in.Rest());
      break;
    case 1: {  // a valid header, then arbitrary bytes
      format::SegmentHeader header;
      header.dataset_id = kDataset;
      header.lsn_first = in.Byte();
      bytes = format::EncodeSegmentHeader(header);
      bytes.append(in.Rest());
      break;
    }
    case 2:
      bytes = Assemble(in, in.Byte() == 0 ? 0 : 1);
      break;
  }
  CheckScan(bytes, sealed, dataset, fail_at);
  return 0;
}
