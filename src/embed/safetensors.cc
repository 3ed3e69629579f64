#include "embed/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace codeindex {
namespace {

// A header larger than this is refused: real models have a few hundred KB at most, and the
// limit keeps a hostile length from making us parse gigabytes of JSON.
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

bool ParseDType(std::string_view s, DType* out) {
  static constexpr struct {
    std::string_view name;
    DType type;
  } kTable[] = {{"F64", DType::kF64},   {"F32", DType::kF32}, {"F16", DType::kF16},
                {"BF16", DType::kBF16}, {"I64", DType::kI64}, {"I32", DType::kI32},
                {"I16", DType::kI16},   {"I8", DType::kI8},   {"U8", DType::kU8},
                {"BOOL", DType::kBool}};
  for (const auto& e : kTable) {
    if (e.name == s) {
      *out = e.type;
      return true;
    }
  }
  return false;
}

template <typename T>
T LoadUnaligned(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kF64:
    case DType::kI64:
      return 8;
    case DType::kF32:
    case DType::kI32:
      return 4;
    case DType::kF16:
    case DType::kBF16:
    case DType::kI16:
      return 2;
    case DType::kI8:
    case DType::kU8:
    case DType::kBool:
      return 1;
  }
  return 1;
}

std::string_view DTypeName(DType t) {
  switch (t) {
    case DType::kF64:
      return "F64";
    case DType::kF32:
      return "F32";
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
    case DType::kI64:
      return "I64";
    case DType::kI32:
      return "I32";
    case DType::kI16:
      return "I16";
    case DType::kI8:
      return "I8";
    case DType::kU8:
      return "U8";
    case DType::kBool:
      return "BOOL";
  }
  return "?";
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ffu) << 13;
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float BFloat16ToFloat(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xffu) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (((x >> 23) & 0xffu) == 0xffu) return sign | 0x7c00u | (mant ? 0x200u : 0);
  if (exp >= 0x1f) return sign | 0x7c00u;  // overflow to infinity
  if (exp <= 0) {                          // subnormal or zero
    if (exp < -10) return sign;
    mant |= 0x800000u;
    const int shift = 14 - exp;
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = static_cast<uint32_t>(exp) << 10 | mant >> 13;
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // may carry into exp: fine
  return static_cast<uint16_t>(sign | half);
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<float> TensorView::ToFloat() const {
  const size_t n = nbytes / DTypeSize(dtype);
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = data + i * DTypeSize(dtype);
    switch (dtype) {
      case DType::kF32:
        out[i] = LoadUnaligned<float>(p);
        break;
      case DType::kF64:
        out[i] = static_cast<float>(LoadUnaligned<double>(p));
        break;
      case DType::kF16:
        out[i] = HalfToFloat(LoadUnaligned<uint16_t>(p));
        break;
      case DType::kBF16:
        out[i] = BFloat16ToFloat(LoadUnaligned<uint16_t>(p));
        break;
      case DType::kI64:
        out[i] = static_cast<float>(LoadUnaligned<int64_t>(p));
        break;
      case DType::kI32:
        out[i] = static_cast<float>(LoadUnaligned<int32_t>(p));
        break;
      case DType::kI16:
        out[i] = static_cast<float>(LoadUnaligned<int16_t>(p));
        break;
      case DType::kI8:
        out[i] = static_cast<float>(static_cast<int8_t>(*p));
        break;
      case DType::kU8:
      case DType::kBool:
        out[i] = static_cast<float>(*p);
        break;
    }
  }
  return out;
}

Result<SafetensorsFile> SafetensorsFile::Open(const std::string& path) {
  ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(path));
  SafetensorsFile f;
  f.path_ = path;
  f.file_ = std::move(mapped);
  RETURN_IF_ERROR(f.Parse(f.file_.data()));
  return f;
}

Result<SafetensorsFile> SafetensorsFile::FromBuffer(std::string_view image,
                                                    std::string_view label) {
  SafetensorsFile f;
  f.path_ = std::string(label);
  RETURN_IF_ERROR(f.Parse(image));
  return f;
}

Status SafetensorsFile::Parse(std::string_view image) {
  auto bad = [this](std::string_view what) {
    return Status::Corruption(fmt::format("{}: not a valid safetensors file: {}", path_, what));
  };
  if (image.size() < 8) return bad("shorter than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | static_cast<uint8_t>(image[i]);
  if (n > kMaxHeaderBytes) return bad(fmt::format("header length {} is too large", n));
  if (n > image.size() - 8) {
    return bad(
        fmt::format("header length {} runs past the end of the file ({} bytes)", n, image.size()));
  }
  header_ = image.substr(8, n);
  const std::string_view buffer = image.substr(8 + n);
  const auto* base = reinterpret_cast<const uint8_t*>(buffer.data());

  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header_.begin(), header_.end());
  } catch (const nlohmann::json::exception& e) {
    return bad(fmt::format("header is not JSON ({})", e.what()));
  }
  if (!j.is_object()) return bad("header is not a JSON object");

  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [name, entry] : j.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return bad("__metadata__ is not an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) return bad(fmt::format("__metadata__ value of {} is not a string", k));
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string tensor_name = name;  // clang 14 cannot capture structured bindings
    auto tbad = [&](std::string_view what) {
      return bad(fmt::format("tensor {}: {}", tensor_name, what));
    };
    if (!entry.is_object()) return tbad("entry is not an object");
    auto dt = entry.find("dtype");
    auto sh = entry.find("shape");
    auto off = entry.find("data_offsets");
    if (dt == entry.end() || !dt->is_string()) return tbad("missing dtype");
    if (sh == entry.end() || !sh->is_array()) return tbad("missing shape");
    if (off == entry.end() || !off->is_array() || off->size() != 2) {
      return tbad("data_offsets is not [begin, end]");
    }
    TensorView t;
    t.name = name;
    if (!ParseDType(dt->get<std::string>(), &t.dtype)) {
      return tbad(fmt::format("unknown dtype {}", dt->get<std::string>()));
    }
    // Element count with overflow checks: each dimension and the product stay below 2^62.
    uint64_t numel = 1;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned()) return tbad("shape has a non-integer or negative entry");
      const uint64_t v = d.get<uint64_t>();
      if (v != 0 && numel > (uint64_t{1} << 62) / v) return tbad("shape is too large");
      numel *= v;
      t.shape.push_back(static_cast<int64_t>(v));
    }
    if (!(*off)[0].is_number_unsigned() || !(*off)[1].is_number_unsigned()) {
      return tbad("data_offsets are not non-negative integers");
    }
    const uint64_t begin = (*off)[0].get<uint64_t>();
    const uint64_t end = (*off)[1].get<uint64_t>();
    if (begin > end) return tbad("data_offsets begin > end");
    if (end > buffer.size()) {
      return tbad(fmt::format("data [{}, {}) runs past the data buffer ({} bytes)", begin, end,
                              buffer.size()));
    }
    if (numel > (uint64_t{1} << 62) / DTypeSize(t.dtype) ||
        numel * DTypeSize(t.dtype) != end - begin) {
      return tbad(fmt::format("{} bytes of data for shape of {} {} elements", end - begin, numel,
                              DTypeName(t.dtype)));
    }
    t.data = base + begin;
    t.nbytes = end - begin;
    if (t.nbytes > 0) ranges.emplace_back(begin, end);
    tensors_.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) return bad("two tensors overlap");
  }
  return Status::OK();
}

const TensorView* SafetensorsFile::Find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

std::string SerializeSafetensors(const std::vector<TensorToWrite>& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata.empty()) h["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& t : tensors) {
    h[t.name] = {{"dtype", std::string(DTypeName(t.dtype))},
                 {"shape", t.shape},
                 {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string header = h.dump();
  while (header.size() % 8 != 0) header.push_back(' ');
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += header;
  for (const auto& t : tensors) out += t.bytes;
  return out;
}

}  // namespace codeindex
