#include "stream/zstd.h"

#include <algorithm>
#include <memory>

#include <zstd.h>

namespace codeindex {
namespace {

Status ZstdError(const char* what, size_t code) {
  return Status::Internal(std::string("zstd ") + what + ": " + ZSTD_getErrorName(code));
}

}  // namespace

ZstdCompressor::ZstdCompressor(int level) : ctx_(ZSTD_createCCtx()), level_(level) {}

ZstdCompressor::~ZstdCompressor() { ZSTD_freeCCtx(ctx_); }

Status ZstdCompressor::Begin(std::optional<uint64_t> content_size) {
  if (ctx_ == nullptr) return Status::Internal("zstd: out of memory");
  ZSTD_CCtx_reset(ctx_, ZSTD_reset_session_only);
  size_t r = ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level_);
  if (ZSTD_isError(r)) return ZstdError("level", r);
  r = ZSTD_CCtx_setPledgedSrcSize(ctx_, content_size ? *content_size : ZSTD_CONTENTSIZE_UNKNOWN);
  if (ZSTD_isError(r)) return ZstdError("content size", r);
  in_frame_ = true;
  return Status::OK();
}

Status ZstdCompressor::Drive(std::string_view data, int mode, std::string* out) {
  if (!in_frame_) return Status::Internal("zstd: Write/Flush/End outside a frame");
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  const size_t step = ZSTD_CStreamOutSize();
  for (;;) {
    const size_t old = out->size();
    // Room for the bound of this input, at least one block: usually a single pass.
    const size_t room = std::max(step, ZSTD_compressBound(in.size - in.pos) + 64);
    out->resize(old + room);
    ZSTD_outBuffer o{out->data() + old, room, 0};
    const size_t left =
        ZSTD_compressStream2(ctx_, &o, &in, static_cast<ZSTD_EndDirective>(mode));
    out->resize(old + o.pos);
    if (ZSTD_isError(left)) {
      in_frame_ = false;
      return ZstdError("compress", left);
    }
    const bool input_done = in.pos == in.size;
    if (mode == ZSTD_e_continue ? input_done : left == 0) break;
  }
  if (mode == ZSTD_e_end) in_frame_ = false;
  return Status::OK();
}

Status ZstdCompressor::Write(std::string_view data, std::string* out) {
  return Drive(data, ZSTD_e_continue, out);
}

Status ZstdCompressor::Flush(std::string* out) { return Drive({}, ZSTD_e_flush, out); }

Status ZstdCompressor::End(std::string* out) { return Drive({}, ZSTD_e_end, out); }

Status ZstdCompressor::CompressFrame(std::string_view data, std::string* out) {
  RETURN_IF_ERROR(Begin(data.size()));
  return Drive(data, ZSTD_e_end, out);
}

ZstdDecompressor::ZstdDecompressor(size_t max_output)
    : ctx_(ZSTD_createDCtx()), max_output_(max_output) {}

ZstdDecompressor::~ZstdDecompressor() { ZSTD_freeDCtx(ctx_); }

void ZstdDecompressor::Begin() {
  ZSTD_DCtx_reset(ctx_, ZSTD_reset_session_only);
  produced_ = 0;
  mid_frame_ = false;
}

Status ZstdDecompressor::Write(std::string_view data, std::string* out) {
  if (ctx_ == nullptr) return Status::Internal("zstd: out of memory");
  if (data.empty()) return Status::OK();
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  const size_t step = ZSTD_DStreamOutSize();
  for (;;) {
    const size_t old = out->size();
    out->resize(old + step);
    ZSTD_outBuffer o{out->data() + old, step, 0};
    const size_t r = ZSTD_decompressStream(ctx_, &o, &in);
    out->resize(old + o.pos);
    if (ZSTD_isError(r)) {
      return Status::InvalidArgument(std::string("corrupt zstd data: ") + ZSTD_getErrorName(r));
    }
    produced_ += o.pos;
    if (produced_ > max_output_) {
      return Status::InvalidArgument("zstd data larger than " + std::to_string(max_output_) +
                                     " bytes when decompressed");
    }
    mid_frame_ = r != 0;
    // Done when the input is consumed and the output buffer was not filled (a full buffer
    // may leave output pending inside the context).
    if (in.pos == in.size && o.pos < o.size) break;
  }
  return Status::OK();
}

Status ZstdDecompressor::End() const {
  if (mid_frame_) return Status::InvalidArgument("truncated zstd data");
  return Status::OK();
}

Status ZstdDecompressor::DecompressAll(std::string_view data, std::string* out) {
  Begin();
  RETURN_IF_ERROR(Write(data, out));
  return End();
}

ZstdCompressor* ThreadLocalZstdCompressor(int level) {
  thread_local std::unique_ptr<ZstdCompressor> compressor;
  if (!compressor) compressor = std::make_unique<ZstdCompressor>(level);
  compressor->set_level(level);
  return compressor.get();
}

}  // namespace codeindex
