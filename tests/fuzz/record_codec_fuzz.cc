// Fuzzes the record codec as recovery meets it: DecodeRecord over arbitrary bytes, and op
// payloads wrapped in a record with a valid checksum so ForEachOp, DecodeSeal and ApplyOp (the
// replay of a decoded op into a state) see arbitrary, checksummed content. Checks the view's
// bounds and that a payload ForEachOp accepts re-encodes to the very same record bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/record_codec.h"
#include "common/state/apply.h"
#include "common/state/state.h"
#include "common/util/check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/known_crashes.h"

namespace {

namespace format = strongbox::format;
namespace state = strongbox::state;

// A record of `type` around `payload`, its length and checksum right.
std::string WrapPayload(format::RecordType type, uint64_t lsn, int64_t timestamp_ms,
                        std::string_view payload) {
  std::string out;
  format::PutU64(&out, 0);
  format::PutU32(&out, static_cast<uint32_t>(payload.size()));
  out.push_back(static_cast<char>(type));
  out.append(3, '\0');
  format::PutU64(&out, lsn);
  format::PutU64(&out, static_cast<uint64_t>(timestamp_ms));
  out.append(payload);
  std::string checksum;
  format::PutU64(&checksum, format::Checksum(std::string_view(out).substr(8)));
  out.replace(0, 8, checksum);
  return out;
}

// Decodes `bytes` as a record; returns the view when it is one.
bool Decode(std::string_view bytes, format::RecordView* r) {
  format::DecodeResult res = format::DecodeRecord(bytes, r);
  if (res != format::DecodeResult::kOk) return false;
  SB_CHECK(r->total_bytes == format::kRecordHeaderBytes + r->payload.size() &&
               r->total_bytes <= bytes.size() && r->payload.data() == bytes.data() + 32,
           "record view out of its bytes");
  return true;
}

// Walks a data payload; when it is well formed, re-encodes it and replays its ops.
void CheckDataPayload(const format::RecordView& r, std::string_view record_bytes) {
  struct Op {
    uint8_t db;
    std::vector<std::string_view> argv;
  };
  std::vector<Op> ops;
  absl::Status s =
      format::ForEachOp(r.payload, [&](uint8_t db, std::span<const std::string_view> a) {
        ops.push_back({db, {a.begin(), a.end()}});
        return absl::OkStatus();
      });
  if (!s.ok()) return;
  std::string again;
  format::RecordBuilder builder(&again);
  builder.Begin(r.lsn, r.timestamp_ms);
  for (const Op& op : ops) builder.AddOp(op.db, op.argv);
  builder.Finish();
  SB_CHECK(again == record_bytes.substr(0, r.total_bytes), "a decoded record re-encodes otherwise");
  // Replay: an op ApplyOp refuses is an error, never a crash (recovery reports it as damage).
  state::State st;
  for (const Op& op : ops) {
    if (strongbox::fuzz::SkipKnownCrashEffect(op.argv)) continue;
    (void)state::ApplyOp(st, op.db, op.argv);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 3;
  // Exactly the input bytes on the heap, so ASan sees a read past them.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  strongbox::fuzz::FuzzInput in(bytes);
  format::RecordView r;
  switch (mode) {
    case 0:  // raw bytes: the checksum rarely matches, the header checks run
      if (Decode(bytes, &r) && r.type == format::RecordType::kData) CheckDataPayload(r, bytes);
      break;
    case 1: {  // a data record with a valid checksum around the rest of the input
      uint64_t lsn = in.U64();
      std::string record = WrapPayload(format::RecordType::kData, lsn, 1, in.Rest());
      SB_CHECK(Decode(record, &r), "a well-formed data record does not decode");
      CheckDataPayload(r, record);
      break;
    }
    case 2: {  // a seal record with a valid checksum
      std::string record = WrapPayload(format::RecordType::kSeal, in.U64(), 1, in.Rest());
      SB_CHECK(Decode(record, &r), "a well-formed seal record does not decode");
      uint64_t last = 0, count = 0;
      absl::Status s = format::DecodeSeal(r.payload, &last, &count);
      SB_CHECK(s.ok() == (r.payload.size() == 16), "DecodeSeal accepts a %zu-byte payload",
               r.payload.size());
      break;
    }
  }
  return 0;
}
