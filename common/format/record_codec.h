// Encoding and decoding of command-log records (layout in record_format.h, docs/format.md).
// The engine appends records straight into its pending write buffer with RecordBuilder, so a
// write command costs no per-argument allocation on the hot path.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/format/record_format.h"

namespace strongbox::format {

struct RecordView {
  RecordType type = RecordType::kData;
  uint64_t lsn = 0;
  int64_t timestamp_ms = 0;
  std::string_view payload;
  size_t total_bytes = 0;  // header + payload
};

enum class DecodeResult {
  kOk,
  kIncomplete,   // fewer bytes than the header or the declared payload
  kBadChecksum,  // the bytes are all there but do not match
  kInvalid,      // impossible header (unknown type, payload too large, reserved bits set)
};

// Decodes the record that starts at buf[0].
DecodeResult DecodeRecord(std::string_view buf, RecordView* out);

// Appends one data record to `out`: Begin, any number of AddOp, then Finish (or Abort).
class RecordBuilder {
 public:
  explicit RecordBuilder(std::string* out) : out_(out) {}
  void Begin(uint64_t lsn, int64_t timestamp_ms);
  void AddOp(uint8_t db, std::span<const std::string_view> argv);
  uint32_t op_count() const { return op_count_; }
  bool open() const { return open_; }
  // Fills payload length, op count and checksum; returns the record's size in bytes.
  size_t Finish();
  void Abort();  // drops the partial record

 private:
  std::string* out_;
  size_t start_ = 0;
  uint32_t op_count_ = 0;
  bool open_ = false;
};

void AppendSealRecord(std::string* out, uint64_t lsn_last, uint64_t record_count,
                      int64_t timestamp_ms);

using OpFn = std::function<absl::Status(uint8_t db, std::span<const std::string_view> argv)>;
// Calls `fn` for every op of a data payload; a malformed payload is an InvalidArgument error.
absl::Status ForEachOp(std::string_view payload, const OpFn& fn);
absl::Status DecodeSeal(std::string_view payload, uint64_t* lsn_last, uint64_t* record_count);

// Little-endian helpers shared by the format code.
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
uint32_t GetU32(const char* p);
uint64_t GetU64(const char* p);
uint64_t Checksum(std::string_view bytes);  // XXH3_64bits

}  // namespace strongbox::format
