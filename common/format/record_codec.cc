// Record framing: header, checksum, op payload.
#include "common/format/record_codec.h"

#include <xxhash.h>

#include <cstring>
#include <vector>

namespace strongbox::format {

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 4);
}
void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 8);
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t Checksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

namespace {

void SetU32(std::string* out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*out)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void SetU64(std::string* out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*out)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void AppendHeader(std::string* out, RecordType type, uint64_t lsn, int64_t timestamp_ms) {
  PutU64(out, 0);  // checksum, filled by Seal()
  PutU32(out, 0);  // payload length, filled by Seal()
  out->push_back(static_cast<char>(type));
  out->push_back(0);
  out->append(2, '\0');
  PutU64(out, lsn);
  PutU64(out, static_cast<uint64_t>(timestamp_ms));
}

// Fills length and checksum of the record starting at `start` that ends at out->size().
void Seal(std::string* out, size_t start) {
  size_t payload = out->size() - start - kRecordHeaderBytes;
  SetU32(out, start + 8, static_cast<uint32_t>(payload));
  std::string_view covered(out->data() + start + 8, out->size() - start - 8);
  SetU64(out, start, Checksum(covered));
}

}  // namespace

DecodeResult DecodeRecord(std::string_view buf, RecordView* out) {
  if (buf.size() < kRecordHeaderBytes) return DecodeResult::kIncomplete;
  const char* p = buf.data();
  uint32_t payload_len = GetU32(p + 8);
  auto type = static_cast<uint8_t>(p[12]);
  if ((type != static_cast<uint8_t>(RecordType::kData) &&
       type != static_cast<uint8_t>(RecordType::kSeal)) ||
      p[13] != 0 || p[14] != 0 || p[15] != 0 || payload_len > kRecordPayloadBytesMax) {
    return DecodeResult::kInvalid;
  }
  if (buf.size() < kRecordHeaderBytes + payload_len) return DecodeResult::kIncomplete;
  std::string_view covered(p + 8, kRecordHeaderBytes - 8 + payload_len);
  if (Checksum(covered) != GetU64(p)) return DecodeResult::kBadChecksum;
  out->type = static_cast<RecordType>(type);
  out->lsn = GetU64(p + 16);
  out->timestamp_ms = static_cast<int64_t>(GetU64(p + 24));
  out->payload = std::string_view(p + kRecordHeaderBytes, payload_len);
  out->total_bytes = kRecordHeaderBytes + payload_len;
  return DecodeResult::kOk;
}

void RecordBuilder::Begin(uint64_t lsn, int64_t timestamp_ms) {
  start_ = out_->size();
  op_count_ = 0;
  open_ = true;
  AppendHeader(out_, RecordType::kData, lsn, timestamp_ms);
  PutU32(out_, 0);  // op count, filled by Finish()
}

void RecordBuilder::AddOp(uint8_t db, std::span<const std::string_view> argv) {
  out_->push_back(static_cast<char>(db));
  PutU32(out_, static_cast<uint32_t>(argv.size()));
  for (std::string_view arg : argv) {
    PutU32(out_, static_cast<uint32_t>(arg.size()));
    out_->append(arg);
  }
  ++op_count_;
}

size_t RecordBuilder::Finish() {
  SetU32(out_, start_ + kRecordHeaderBytes, op_count_);
  Seal(out_, start_);
  open_ = false;
  return out_->size() - start_;
}

void RecordBuilder::Abort() {
  out_->resize(start_);
  open_ = false;
}

void AppendSealRecord(std::string* out, uint64_t lsn_last, uint64_t record_count,
                      int64_t timestamp_ms) {
  size_t start = out->size();
  AppendHeader(out, RecordType::kSeal, lsn_last, timestamp_ms);
  PutU64(out, lsn_last);
  PutU64(out, record_count);
  Seal(out, start);
}

absl::Status ForEachOp(std::string_view payload, const OpFn& fn) {
  auto bad = [] { return absl::InvalidArgumentError("malformed record payload"); };
  if (payload.size() < 4) return bad();
  uint32_t ops = GetU32(payload.data());
  size_t pos = 4;
  std::vector<std::string_view> argv;
  for (uint32_t i = 0; i < ops; ++i) {
    if (payload.size() - pos < 5) return bad();
    auto db = static_cast<uint8_t>(payload[pos]);
    uint32_t argc = GetU32(payload.data() + pos + 1);
    pos += 5;
    argv.clear();
    for (uint32_t a = 0; a < argc; ++a) {
      if (payload.size() - pos < 4) return bad();
      uint32_t len = GetU32(payload.data() + pos);
      pos += 4;
      if (payload.size() - pos < len) return bad();
      argv.emplace_back(payload.data() + pos, len);
      pos += len;
    }
    if (absl::Status s = fn(db, argv); !s.ok()) return s;
  }
  if (pos != payload.size()) return bad();
  return absl::OkStatus();
}

absl::Status DecodeSeal(std::string_view payload, uint64_t* lsn_last, uint64_t* record_count) {
  if (payload.size() != 16) return absl::InvalidArgumentError("malformed seal record");
  *lsn_last = GetU64(payload.data());
  *record_count = GetU64(payload.data() + 8);
  return absl::OkStatus();
}

}  // namespace strongbox::format
