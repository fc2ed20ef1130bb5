#include "common/rdb/dump_payload.h"

#include "common/rdb/crc64.h"
#include "common/rdb/rdb_writer.h"

namespace strongbox::rdb {
namespace {

constexpr size_t kFooterBytes = 10;  // version (2) + CRC-64 (8)

}  // namespace

std::string MakeDumpPayload(const state::Entry& entry) {
  std::string out;
  EncodeValue(entry, &out);
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  AppendU64LE(Crc64(0, out), &out);
  return out;
}

bool DumpPayloadFooterOk(std::string_view payload) {
  if (payload.size() < kFooterBytes) return false;
  std::string_view footer = payload.substr(payload.size() - kFooterBytes);
  uint16_t version = static_cast<uint8_t>(footer[0]) | (static_cast<uint8_t>(footer[1]) << 8);
  if (version > kRdbVersion) return false;
  Reader crc_reader(footer.substr(2));
  return Crc64(0, payload.substr(0, payload.size() - 8)) == crc_reader.U64LE();
}

absl::StatusOr<Value> DecodeDumpPayload(std::string_view payload) {
  Reader r(payload.substr(0, payload.size() - kFooterBytes));
  uint8_t type = r.U8();
  if (!r.ok()) return absl::DataLossError("Bad data format");
  return DecodeValue(type, r);
}

}  // namespace strongbox::rdb
