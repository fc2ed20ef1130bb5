// Fuzzes the RDB value codec: byte 0 is the RDB type, the rest the value's encoding (DecodeValue
// over arbitrary bytes), or, with byte 0's top bit set, a whole DUMP payload with a valid
// footer put around the input (DecodeDumpPayload). Checks that a value that decodes applies
// through its effects (every effect ApplyOp accepts), and that the resulting key's own payload
// decodes back to the same key.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/rdb/crc64.h"
#include "common/rdb/dump_payload.h"
#include "common/rdb/rdb_value.h"
#include "common/rdb/rdb_writer.h"
#include "common/state/apply.h"
#include "common/state/snapshot.h"
#include "common/util/check.h"

namespace {

namespace rdb = strongbox::rdb;
namespace state = strongbox::state;

std::string Canonical(state::State& st) {
  std::string out;
  if (const state::Entry* e = st.db(0).FindRaw("k")) state::EncodeEntry(0, "k", *e, &out);
  return out;
}

void Materialize(const rdb::Value& v, state::State* st) {
  rdb::ForEachEffect("k", v, 0, [st](std::span<const std::string_view> argv) {
    SB_CHECK(state::ApplyOp(*st, 0, argv).ok());
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<rdb::Value> value;
  if (data[0] & 0x80) {
    std::string payload(body);
    payload += std::string("\x0a\x00", 2);
    rdb::AppendU64LE(rdb::Crc64(0, payload), &payload);
    SB_CHECK(rdb::DumpPayloadFooterOk(payload));
    value = rdb::DecodeDumpPayload(payload);
  } else {
    rdb::Reader r(body);
    value = rdb::DecodeValue(data[0], r);
  }
  if (!value.ok()) return 0;
  state::State st;
  Materialize(*value, &st);
  std::string payload = rdb::MakeDumpPayload(*st.db(0).FindRaw("k"));
  auto again = rdb::DecodeDumpPayload(payload);
  SB_CHECK(again.ok());
  state::State st2;
  Materialize(*again, &st2);
  SB_CHECK(Canonical(st) == Canonical(st2));
  return 0;
}
