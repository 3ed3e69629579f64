// Reader for the safetensors format (internal to embed).
//
// Layout: 8-byte little-endian header length N, N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"k": "v"}}
// then the data buffer; offsets are relative to the start of the buffer (byte 8 + N).
// Everything is validated on open: header bounds, JSON shape, known dtypes, shape product x
// element size == end - begin, offsets inside the buffer, no two tensors overlapping. Errors
// are kCorruption naming the file and the tensor.
//
// The file is mmapped; tensor data is borrowed from the mapping (no copy), so a
// SafetensorsFile must outlive every TensorView taken from it. Thread-safe for reading.
#ifndef CODEINDEX_EMBED_SAFETENSORS_H_
#define CODEINDEX_EMBED_SAFETENSORS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/file.h"
#include "base/status.h"

namespace codeindex {

enum class DType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

// Bytes per element.
size_t DTypeSize(DType t);
std::string_view DTypeName(DType t);

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // borrowed from the mapping; may be unaligned
  size_t nbytes = 0;

  int64_t numel() const;
  // Copies the tensor to float32 (F32, F16, BF16, F64, I8, I16, I32, I64, U8 accepted).
  std::vector<float> ToFloat() const;
};

class SafetensorsFile {
 public:
  // Maps and validates `path`.
  static Result<SafetensorsFile> Open(const std::string& path);
  // Validates an in-memory image (for the fuzzer and tests); `image` must outlive the object.
  static Result<SafetensorsFile> FromBuffer(std::string_view image, std::string_view label);

  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;

  // The tensor called `name`, or nullptr.
  const TensorView* Find(std::string_view name) const;
  const std::map<std::string, TensorView, std::less<>>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // The raw header JSON (for fingerprints).
  std::string_view header() const { return header_; }
  const std::string& path() const { return path_; }

 private:
  SafetensorsFile() = default;
  Status Parse(std::string_view image);

  std::string path_;
  MappedFile file_;
  std::string_view header_;
  std::map<std::string, TensorView, std::less<>> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Writes a safetensors image (tests and tools): tensors in the given order, header padded with
// spaces to a multiple of 8 so that data is aligned. Each entry: name, dtype, shape, raw bytes.
struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};
std::string SerializeSafetensors(const std::vector<TensorToWrite>& tensors,
                                 const std::map<std::string, std::string>& metadata = {});

// IEEE half and bfloat16 to float.
float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t h);
uint16_t FloatToHalf(float f);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_SAFETENSORS_H_
