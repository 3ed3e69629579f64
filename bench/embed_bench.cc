// Embedding runtime benchmarks.
//
//   cmake --preset release && cmake --build --preset release --target embed_bench
//   build/release/bench/embed_bench
//
// Inputs are synthetic but shaped like the real thing, since no pretrained model can be
// downloaded here:
//   * chunks: 1000-character slices (the original's MAX_BLOCK_CHARS) of up to 8 MB of C and
//     C++ sources: tree-sitter under third_party/ (fetched by scripts/setup, generated
//     parser.c files excluded), then /usr/include, then this repository's src/;
//   * static model: a WordPiece vocabulary of ~30K entries learned from the same corpus (the
//     most frequent lower-cased words, every character and "##"-suffixes), a random F32 table
//     of 256 dimensions: the shape of model2vec's potion-base-8M (29,528 x 256);
//   * transformer: random weights in the shape of all-MiniLM-L6-v2 (6 layers, hidden 384,
//     12 heads, FFN 1536), sequences of 256 tokens.
// Set CODEINDEX_BENCH_CORPUS=DIR to slice another directory's files instead.
#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "base/file.h"
#include "embed/bert.h"
#include "embed/embedder.h"
#include "embed/gemm.h"
#include "embed/safetensors.h"
#include "embed/static_model.h"
#include "embed/testing.h"

extern "C" void omp_set_num_threads(int num_threads);  // libgomp

namespace codeindex {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> LoadCorpus() {
  std::vector<std::string> roots;
  if (const char* c = std::getenv("CODEINDEX_BENCH_CORPUS")) roots.push_back(c);
  roots.push_back(CODEINDEX_SOURCE_DIR "/third_party/npm");
  roots.push_back("/usr/include");
  roots.push_back(CODEINDEX_SOURCE_DIR "/src");
  std::vector<std::string> files;
  size_t bytes = 0;
  for (const std::string& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::end(it);
         it.increment(ec)) {
      const std::string ext = it->path().extension().string();
      if (it->is_regular_file(ec) && (ext == ".c" || ext == ".cc" || ext == ".h") &&
          it->file_size(ec) < (256u << 10) && it->path().filename() != "parser.c") {
        paths.push_back(it->path().string());
      }
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
      auto text = ReadFile(p);
      if (!text.ok()) continue;
      bytes += text->size();
      files.push_back(std::move(*text));
      if (bytes > (8u << 20)) break;
    }
    if (bytes > (8u << 20)) break;
  }
  return files;
}

struct Fixture {
  std::vector<std::string> chunks;
  std::string static_dir, bert_dir;
  std::unique_ptr<StaticModel> static_model;
  std::unique_ptr<Embedder> static_embedder;

  Fixture() {
    const std::vector<std::string> files = LoadCorpus();
    for (const std::string& f : files) {
      for (size_t i = 0; i + 1000 <= f.size(); i += 1000) chunks.push_back(f.substr(i, 1000));
    }
    // Vocabulary: words by frequency, suffixes, characters.
    std::map<std::string, int> words, suffixes;
    for (const std::string& f : files) {
      std::string w;
      for (char ch : f + " ") {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (std::isalnum(static_cast<unsigned char>(c))) {
          w.push_back(c);
        } else if (!w.empty()) {
          ++words[w];
          for (size_t n = 2; n <= 4 && n < w.size(); ++n) ++suffixes["##" + w.substr(w.size() - n)];
          w.clear();
        }
      }
    }
    auto top = [](const std::map<std::string, int>& m, size_t n) {
      std::vector<std::pair<int, std::string>> v;
      for (const auto& [k, c] : m) v.emplace_back(-c, k);
      std::sort(v.begin(), v.end());
      std::vector<std::string> out;
      for (size_t i = 0; i < v.size() && i < n; ++i) out.push_back(v[i].second);
      return out;
    };
    std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    for (int c = 33; c < 127; ++c) {
      vocab.push_back(std::string(1, static_cast<char>(std::tolower(c))));
      if (std::isalnum(c))
        vocab.push_back("##" + std::string(1, static_cast<char>(std::tolower(c))));
    }
    std::sort(vocab.begin(), vocab.end());
    vocab.erase(std::unique(vocab.begin(), vocab.end()), vocab.end());
    for (const std::string& w : top(words, 25000)) {
      if (w.size() > 1) vocab.push_back(w);
    }
    for (const std::string& s : top(suffixes, 4000)) vocab.push_back(s);
    std::sort(vocab.begin() + 5, vocab.end());
    vocab.erase(std::unique(vocab.begin() + 5, vocab.end()), vocab.end());

    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    static_dir = testing::MakeTempDir("bench-static");
    {
      const int dim = 256;
      std::string table(vocab.size() * dim * 4, '\0');
      for (size_t i = 0; i < vocab.size() * dim; ++i) {
        const float f = normal(rng);
        std::memcpy(&table[i * 4], &f, 4);
      }
      (void)WriteFileAtomic(static_dir + "/model.safetensors",
                            SerializeSafetensors({{"embeddings",
                                                   DType::kF32,
                                                   {static_cast<int64_t>(vocab.size()), dim},
                                                   std::move(table)}}));
      (void)WriteFileAtomic(static_dir + "/tokenizer.json", testing::WordPieceTokenizerJson(vocab));
    }
    static_model = std::move(*StaticModel::Open(static_dir));
    EmbedderConfig c;
    c.model = static_dir;
    static_embedder = std::move(*OpenEmbedder(c));

    // MiniLM-L6-shaped BERT.
    bert_dir = testing::MakeTempDir("bench-bert");
    const int H = 384, L = 6, I = 1536, P = 512;
    std::vector<TensorToWrite> t;
    auto add = [&](const std::string& name, std::vector<int64_t> shape, float scale) {
      int64_t n = 1;
      for (int64_t d : shape) n *= d;
      std::string bytes(n * 4, '\0');
      for (int64_t i = 0; i < n; ++i) {
        const float f = normal(rng) * scale;
        std::memcpy(&bytes[i * 4], &f, 4);
      }
      t.push_back({name, DType::kF32, std::move(shape), std::move(bytes)});
    };
    const int64_t V = static_cast<int64_t>(vocab.size());
    add("embeddings.word_embeddings.weight", {V, H}, 0.05f);
    add("embeddings.position_embeddings.weight", {P, H}, 0.05f);
    add("embeddings.token_type_embeddings.weight", {2, H}, 0.05f);
    add("embeddings.LayerNorm.weight", {H}, 0.0f);
    add("embeddings.LayerNorm.bias", {H}, 0.0f);
    for (int l = 0; l < L; ++l) {
      const std::string p = fmt::format("encoder.layer.{}.", l);
      for (const char* n : {"attention.self.query", "attention.self.key", "attention.self.value",
                            "attention.output.dense"}) {
        add(p + n + ".weight", {H, H}, 0.05f);
        add(p + n + ".bias", {H}, 0.01f);
      }
      add(p + "intermediate.dense.weight", {I, H}, 0.05f);
      add(p + "intermediate.dense.bias", {I}, 0.01f);
      add(p + "output.dense.weight", {H, I}, 0.025f);
      add(p + "output.dense.bias", {H}, 0.01f);
      for (const char* n : {"attention.output.LayerNorm", "output.LayerNorm"}) {
        add(p + n + ".weight", {H}, 0.0f);
        add(p + n + ".bias", {H}, 0.0f);
      }
    }
    for (auto& x : t) {  // LayerNorm gains of 1
      if (x.name.ends_with("LayerNorm.weight")) {
        for (size_t i = 0; i < x.bytes.size(); i += 4) {
          const float one = 1.0f;
          std::memcpy(&x.bytes[i], &one, 4);
        }
      }
    }
    (void)WriteFileAtomic(bert_dir + "/model.safetensors", SerializeSafetensors(t));
    (void)WriteFileAtomic(
        bert_dir + "/config.json",
        fmt::format(R"({{"model_type": "bert", "vocab_size": {}, "hidden_size": {},
          "num_hidden_layers": {}, "num_attention_heads": 12, "intermediate_size": {},
          "max_position_embeddings": {}, "type_vocab_size": 2, "hidden_act": "gelu"}})",
                    V, H, L, I, P));
    (void)WriteFileAtomic(bert_dir + "/tokenizer.json", testing::WordPieceTokenizerJson(vocab));
  }
  ~Fixture() {
    testing::RemoveTree(static_dir);
    testing::RemoveTree(bert_dir);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_StaticTokenize(benchmark::State& state) {
  Fixture& f = F();
  std::vector<int32_t> ids;
  size_t i = 0, tokens = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& c = f.chunks[i++ % f.chunks.size()];
    ids.clear();
    f.static_model->tokenizer().Encode(c, &ids);
    tokens += ids.size();
    bytes += c.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["tokens_per_chunk"] = static_cast<double>(tokens) / state.iterations();
  state.counters["vocab"] = f.static_model->tokenizer().vocab_size();
}
BENCHMARK(BM_StaticTokenize);

// One 1000-char chunk -> one normalised 256-d vector (tokenize + pool + normalise).
void BM_StaticEncodeChunk(benchmark::State& state) {
  Fixture& f = F();
  std::vector<int32_t> ids;
  std::vector<float> out(f.static_model->dim());
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& c = f.chunks[i++ % f.chunks.size()];
    f.static_model->Encode(c, out.data(), &ids);
    bytes += c.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["chunks"] = static_cast<double>(f.chunks.size());
}
BENCHMARK(BM_StaticEncodeChunk);

// Batches of 60 blocks (the original's BATCH_SEGMENT_THRESHOLD) through the Embedder interface.
void BM_StaticEmbedBatch60(benchmark::State& state) {
  Fixture& f = F();
  const Embedder& e = *f.static_embedder;
  std::vector<std::string_view> batch;
  std::vector<float> out(60 * e.dimension());
  size_t i = 0;
  for (auto _ : state) {
    batch.clear();
    for (int k = 0; k < 60; ++k) batch.push_back(f.chunks[i++ % f.chunks.size()]);
    if (!e.Embed(batch, EmbedKind::kDocument, out.data()).ok()) state.SkipWithError("embed");
  }
  state.SetItemsProcessed(state.iterations() * 60);
}
BENCHMARK(BM_StaticEmbedBatch60)->UseRealTime();

// MiniLM-L6-shaped encoder, one 256-token sequence per call; arg 0 = fp32, 1 = int8.
void BM_BertForward256(benchmark::State& state) {
  Fixture& f = F();
  EmbedderConfig c;
  c.provider = Provider::kTransformer;
  c.model = f.bert_dir;
  c.precision = state.range(0) ? Precision::kInt8 : Precision::kFloat32;
  c.threads = static_cast<int>(state.range(1));
  c.max_tokens = 256;
  auto e = OpenEmbedder(c);
  if (!e.ok()) {
    state.SkipWithError(e.error().ToString().c_str());
    return;
  }
  std::string text;  // 1000-char chunks give ~300 tokens: cut to 256 by max_tokens
  for (size_t k = 0; k < 4; ++k) text += f.chunks[k % f.chunks.size()];
  std::vector<float> out((*e)->dimension());
  const std::string_view one[] = {text};
  for (auto _ : state) {
    if (!(*e)->Embed(one, EmbedKind::kDocument, out.data()).ok()) state.SkipWithError("embed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BertForward256)
    ->ArgNames({"int8", "threads"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Anchors, measured in the same run: the SHA-256 of a chunk (what an embedding-cache lookup
// costs before it touches SQLite) and one fp32 BLAS product of the shape that dominates the
// encoder (256 tokens x 384 -> 1536), reported in GFLOP/s.
void BM_AnchorSha256Chunk(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(EmbeddingCacheKey(f.chunks[i++ % f.chunks.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnchorSha256Chunk);

void BM_AnchorSgemm256x384x1536(benchmark::State& state) {
  const int m = 256, k = 384, n = 1536;
  std::vector<float> x(m * k, 0.5f), w(n * k, 0.25f), y(m * n);
  omp_set_num_threads(1);  // as the encoder's default threads = 1
  for (auto _ : state) {
    LinearF32(x.data(), m, k, w.data(), nullptr, n, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPs"] =
      benchmark::Counter(2.0 * m * k * n * state.iterations(), benchmark::Counter::kIsRate,
                         benchmark::Counter::kIs1000);
}
BENCHMARK(BM_AnchorSgemm256x384x1536);

}  // namespace
}  // namespace codeindex

BENCHMARK_MAIN();
