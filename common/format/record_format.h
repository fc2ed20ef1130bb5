// The command-log record: the unit of atomicity and durability. Shared by the engine (writer),
// the snapshotter and recovery (readers). Bytes are described in docs/format.md; change them
// only together with kLogFormatVersion.
//
// Record, all integers little-endian:
//   off  size  field
//     0     8  checksum      XXH3_64bits (libxxhash) of bytes [8, 32 + payload_len)
//     8     4  payload_len   bytes of payload that follow the 32-byte header
//    12     1  type          RecordType
//    13     1  reserved      0
//    14     2  reserved      0
//    16     8  lsn           data record: its LSN; seal record: the segment's last LSN
//    24     8  timestamp_ms  wall clock (Unix ms) when the engine assigned the LSN
//    32     …  payload
//
// Data payload: u32 op_count, then per op: u8 db, u32 argc, then argc × (u32 len, bytes).
//   Every op is a deterministic effect (see common/state/apply.h) on database `db`.
// Seal payload: u64 lsn_last, u64 record_count (data records in the segment).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strongbox::format {

inline constexpr uint32_t kLogFormatVersion = 1;
inline constexpr size_t kRecordHeaderBytes = 32;
// Upper bound of one record's payload; larger is rejected when writing and is damage when read.
inline constexpr uint32_t kRecordPayloadBytesMax = 512u * 1024 * 1024;

enum class RecordType : uint8_t {
  kData = 1,
  kSeal = 2,
};

}  // namespace strongbox::format
