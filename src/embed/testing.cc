#include "embed/testing.h"

#include <cstdlib>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/file.h"

namespace codeindex::testing {

std::string MakeTempDir(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/codeindex-" + name + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return "";
  return std::string(buf.data());
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string WordPieceTokenizerJson(const std::vector<std::string>& vocab) {
  nlohmann::ordered_json v = nlohmann::ordered_json::object();
  for (size_t i = 0; i < vocab.size(); ++i) v[vocab[i]] = i;
  auto id = [&](const std::string& t) -> int {
    for (size_t i = 0; i < vocab.size(); ++i) {
      if (vocab[i] == t) return static_cast<int>(i);
    }
    return -1;
  };
  nlohmann::ordered_json j = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", nlohmann::ordered_json::array()},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", true},
        {"strip_accents", nullptr},
        {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
          {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}}},
        {"special_tokens",
         {{"[CLS]", {{"id", "[CLS]"}, {"ids", {id("[CLS]")}}, {"tokens", {"[CLS]"}}}},
          {"[SEP]", {{"id", "[SEP]"}, {"ids", {id("[SEP]")}}, {"tokens", {"[SEP]"}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", "[UNK]"},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", v}}}};
  for (const char* special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    if (id(special) < 0) continue;
    j["added_tokens"].push_back({{"id", id(special)},
                                 {"content", special},
                                 {"single_word", false},
                                 {"lstrip", false},
                                 {"rstrip", false},
                                 {"normalized", false},
                                 {"special", true}});
  }
  return j.dump();
}

std::vector<std::string> TinyVocab() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 'a'; c <= 'z'; ++c) v.push_back(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  for (const char* p : {"(", ")", "{", "}", "[", "]", ".", ",", ":",  ";",
                        "=", "+", "-", "*", "/", "<", ">", "_", "\"", "'"}) {
    v.push_back(p);
  }
  for (const char* w :
       {"def",   "return", "class", "import", "for",   "in",     "if",     "else",  "self",
        "parse", "file",   "read",  "write",  "index", "search", "vector", "token", "embed",
        "model", "cafe",   "int",   "char",   "const", "void",   "string"}) {
    v.push_back(w);
  }
  for (const char* p : {"##s", "##ed", "##ing", "##er", "##ize", "##r", "##e", "##x", "##a", "##t",
                        "##o", "##n", "##d", "##i", "##l"}) {
    v.push_back(p);
  }
  return v;
}

Result<std::vector<float>> WriteTinyStaticModel(const std::string& dir, const TinyStaticModel& m) {
  const std::vector<std::string> vocab = TinyVocab();
  const size_t rows = vocab.size();
  std::mt19937 rng(m.seed);
  std::uniform_int_distribution<int> small(-8, 8);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> table(rows * m.dim);
  for (float& x : table) {
    if (m.integer_values || m.dtype == DType::kI8) {
      x = static_cast<float>(small(rng));
    } else {
      x = normal(rng);
      if (m.dtype == DType::kF16) x = HalfToFloat(FloatToHalf(x));  // exactly representable
    }
  }
  std::string bytes;
  for (float x : table) {
    if (m.dtype == DType::kF32) {
      bytes.append(reinterpret_cast<const char*>(&x), 4);
    } else if (m.dtype == DType::kF16) {
      const uint16_t h = FloatToHalf(x);
      bytes.append(reinterpret_cast<const char*>(&h), 2);
    } else {
      bytes.push_back(static_cast<char>(static_cast<int8_t>(x)));
    }
  }
  std::vector<TensorToWrite> tensors = {
      {"embeddings", m.dtype, {static_cast<int64_t>(rows), m.dim}, bytes}};
  if (m.with_weights) {
    std::string w;
    for (size_t i = 0; i < rows; ++i) {
      const float f = 1.0f + static_cast<float>(i % 3);
      w.append(reinterpret_cast<const char*>(&f), 4);
    }
    tensors.push_back({"weights", DType::kF32, {static_cast<int64_t>(rows)}, w});
  }
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/model.safetensors", SerializeSafetensors(tensors)));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/tokenizer.json", WordPieceTokenizerJson(vocab)));
  RETURN_IF_ERROR(WriteFileAtomic(
      dir + "/config.json", R"({"model_type": "model2vec", "normalize": true, "hidden_dim": )" +
                                std::to_string(m.dim) + "}"));
  return table;
}

}  // namespace codeindex::testing
