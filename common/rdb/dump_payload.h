// DUMP's payload: the value's RDB encoding, the 2-byte RDB version (little-endian) and the
// CRC-64 of both (little-endian), as Redis 7.0's createDumpPayload / verifyDumpPayload.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/rdb/rdb_value.h"
#include "common/state/state.h"

namespace strongbox::rdb {

// Redis 7.0's RDB_VERSION: what DUMP writes and the newest version RESTORE accepts.
inline constexpr uint16_t kRdbVersion = 10;

std::string MakeDumpPayload(const state::Entry& entry);

// True when the footer names a version we read and the checksum matches.
bool DumpPayloadFooterOk(std::string_view payload);
// Decodes a payload whose footer is ok (DumpPayloadFooterOk).
absl::StatusOr<Value> DecodeDumpPayload(std::string_view payload);

}  // namespace strongbox::rdb
