#include "server/compress.h"

#include <cctype>
#include <cstdlib>

#include <zlib.h>
#include <zstd.h>

#include "stream/zstd.h"

namespace codeindex {

std::string_view ContentCodingName(ContentCoding c) {
  switch (c) {
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kZstd:
      return "zstd";
    case ContentCoding::kIdentity:
      return "identity";
  }
  return "identity";
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// q-value of one element's parameters ("q=0.5"); 1 when absent, -1 when malformed.
double QValue(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string v(Trim(p.substr(2)));
      // RFC 9110: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
      if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return -1;
      if (v.size() > 1 && v[1] != '.') return -1;
      for (size_t i = 2; i < v.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(v[i]))) return -1;
      }
      q = std::strtod(v.c_str(), nullptr);
      if (q > 1) return -1;
    }
  }
  return q;
}

}  // namespace

ContentCoding ChooseContentCoding(std::string_view header) {
  // -1: not mentioned.
  double q_gzip = -1, q_zstd = -1, q_star = -1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = Trim(item.substr(0, semi));
    double q = QValue(semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1));
    if (q < 0 || name.empty()) continue;
    if (EqualsNoCase(name, "gzip") || EqualsNoCase(name, "x-gzip")) {
      q_gzip = q;
    } else if (EqualsNoCase(name, "zstd")) {
      q_zstd = q;
    } else if (name == "*") {
      q_star = q;
    }
  }
  if (q_gzip < 0) q_gzip = q_star;
  if (q_zstd < 0) q_zstd = q_star;
  if (q_zstd <= 0 && q_gzip <= 0) return ContentCoding::kIdentity;
  return q_zstd >= q_gzip ? ContentCoding::kZstd : ContentCoding::kGzip;
}

Result<std::string> GzipCompress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("gzip compression failed");
  out.resize(n);
  return out;
}

Result<std::string> ZstdCompress(std::string_view data, int level) {
  // Each I/O thread keeps one compression context (stream/zstd.h): ZSTD_compress() would
  // allocate and free one per response, 3x the CPU time of a 4 KB answer (bench/README.md
  // "stream").
  std::string out;
  out.reserve(ZSTD_compressBound(data.size()));
  RETURN_IF_ERROR(ThreadLocalZstdCompressor(level)->CompressFrame(data, &out));
  return out;
}

Result<std::string> GzipDecompress(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument("corrupt gzip data");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > kMaxDecompressedBytes) {
      inflateEnd(&zs);
      return Status::InvalidArgument("gzip data too large");
    }
  } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::InvalidArgument("truncated gzip data");
  return out;
}

Result<std::string> ZstdDecompress(std::string_view data) {
  unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Status::InvalidArgument("corrupt zstd data");
  }
  if (size > kMaxDecompressedBytes) return Status::InvalidArgument("zstd data too large");
  std::string out;
  out.resize(size);
  size_t n = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(n)) return Status::InvalidArgument("corrupt zstd data");
  out.resize(n);
  return out;
}

}  // namespace codeindex
