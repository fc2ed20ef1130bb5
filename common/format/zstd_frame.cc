// One-shot and streaming zstd frames over libzstd (see zstd_frame.h for why one frame).
#include "common/format/zstd_frame.h"

#include <zstd.h>

#include "absl/strings/str_cat.h"

namespace strongbox::format {
namespace {

ZSTD_CCtx* NewCompressor(int level, int workers) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (workers > 0) ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, workers);
  return cctx;
}

// Decompresses all of `input` onto *out (through *buf, ZSTD_DStreamOutSize() bytes). True
// once the frame has ended; input left after its end is an error, as a frame must be last.
absl::StatusOr<bool> DecompressInto(ZSTD_DCtx* dctx, std::string_view input, std::string* buf,
                                    std::string* out) {
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf->data(), buf->size(), 0};
    size_t left = ZSTD_decompressStream(dctx, &o, &in);
    if (ZSTD_isError(left)) {
      return absl::DataLossError(absl::StrCat("zstd: ", ZSTD_getErrorName(left)));
    }
    out->append(buf->data(), o.pos);
    if (left == 0) {
      if (in.pos != in.size) return absl::DataLossError("bytes after the zstd frame");
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> ZstdCompress(std::string_view data, int level) {
  ZSTD_CCtx* cctx = NewCompressor(level, /*workers=*/0);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

absl::StatusOr<std::string> ZstdDecompress(std::string_view frame) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  std::string out;
  auto done = DecompressInto(dctx, frame, &buf, &out);
  ZSTD_freeDCtx(dctx);
  if (!done.ok()) return done.status();
  if (!*done) return absl::DataLossError("truncated zstd frame");
  return out;
}

ZstdFrameWriter::ZstdFrameWriter(io::File& file, int level, int workers)
    : file_(file), cctx_(NewCompressor(level, workers)) {
  out_.resize(ZSTD_CStreamOutSize());
}

ZstdFrameWriter::~ZstdFrameWriter() { ZSTD_freeCCtx(cctx_); }

absl::Status ZstdFrameWriter::Write(std::string_view data, bool end) {
  raw_bytes_ += data.size();
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer o{out_.data(), out_.size(), 0};
    size_t left = ZSTD_compressStream2(cctx_, &o, &in, mode);
    if (ZSTD_isError(left)) {
      return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(left)));
    }
    if (o.pos > 0) {
      if (auto s = file_.WriteAt(offset_, std::string_view(out_.data(), o.pos)); !s.ok()) {
        return s;
      }
      offset_ += o.pos;
      if (offset_ - writeback_started_ >= kWritebackWindowBytes) {
        file_.StartWriteback(writeback_window_, writeback_started_ - writeback_window_, true);
        file_.StartWriteback(writeback_started_, offset_ - writeback_started_, false);
        writeback_window_ = writeback_started_;
        writeback_started_ = offset_;
      }
    }
    if (end ? left == 0 : in.pos == in.size) return absl::OkStatus();
  }
}

ZstdFrameReader::ZstdFrameReader(io::File& file, uint64_t file_bytes, std::string error_prefix)
    : file_(file),
      file_bytes_(file_bytes),
      error_prefix_(std::move(error_prefix)),
      dctx_(ZSTD_createDCtx()),
      chunk_(ZSTD_DStreamOutSize(), '\0') {}

ZstdFrameReader::~ZstdFrameReader() { ZSTD_freeDCtx(dctx_); }

absl::Status ZstdFrameReader::ReadMore(std::string* out) {
  auto corrupt = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(error_prefix_, why));
  };
  auto input = file_.ReadAt(file_pos_, ZSTD_DStreamInSize());
  if (!input.ok()) return input.status();
  if (input->empty()) return corrupt("truncated zstd frame");
  file_pos_ += input->size();
  size_t before = out->size();
  auto done = DecompressInto(dctx_, *input, &chunk_, out);
  raw_bytes_ += out->size() - before;
  if (!done.ok()) return corrupt(done.status().message());
  if (*done) {
    frame_done_ = true;
    if (file_pos_ != file_bytes_) return corrupt("bytes after the zstd frame");
  }
  return absl::OkStatus();
}

}  // namespace strongbox::format
