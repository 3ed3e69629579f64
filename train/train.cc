// train: learns the default embedding model (docs/model-card.md) from the pairs that
// train/corpus extracted, and writes it in the static-model layout that embed/static_model.h
// reads (model.safetensors + tokenizer.json + config.json).
//
//   train --pairs pairs.jsonl --out DIR [--vocab 32768] [--dim 256] [--epochs 6]
//         [--batch 512] [--lr 0.01] [--temperature 0.05] [--seed 1] [--threads 2]
//
// 1. Vocabulary: the CodeUnigram parts (embed/code_tokenizer.h) of the training split
//    (queries and code), the `--vocab` most frequent ones that occur at least twice, plus
//    every ASCII letter and digit so that any ASCII part can be segmented. Piece score =
//    log relative frequency (ties broken by the piece's bytes, so the order is total).
// 2. Tokenization exactly as the static embedder does at query time (StaticModel::Encode:
//    character cut at max_tokens x the median token length, unknown tokens removed, cut to
//    512 tokens) through the tokenizer loaded back from its own tokenizer.json.
// 3. Model: one table E [vocab, dim]; a text's vector is the L2-normalised mean of its
//    tokens' rows, which is what the static embedder computes. Initialisation: each row a
//    random direction (seeded) times the token's inverse document frequency over the code
//    side, so that before training the cosine is a TF-IDF cosine.
// 4. Loss: InfoNCE with in-batch negatives in both directions (query -> code and code ->
//    query), cosine / temperature. A batch holds pairs of one language (harder negatives,
//    closer to a search inside one repository). Adam on the touched rows (lazy).
// 5. Output: rows quantised to int8 (per-row scale stored in model2vec's `weights` tensor,
//    so the embedder's weighted sum restores the scale).
//
// Determinism: the random generator is our own (splitmix64), batches and shuffles derive
// from --seed only, and every reduction is done in a fixed order: work is split between
// threads by index (each output written by one thread), and the scatter of gradients into
// the table is split by row (row % threads), each thread walking the batch in order. The
// output is bit-for-bit the same for a given seed, thread count and build.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/hash.h"
#include "embed/code_tokenizer.h"
#include "embed/safetensors.h"
#include "embed/static_model.h"
#include "embed/tokenizer.h"

namespace codeindex::train {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxTokens = 512;  // StaticModel's default max_tokens

struct Options {
  std::string pairs, out;
  int vocab = 32768;
  int dim = 256;
  int epochs = 6;
  int batch = 512;
  double lr = 0.01;
  double temperature = 0.05;
  uint64_t seed = 1;
  int threads = 2;
  double name_weight = 1.0;  // fraction of name pairs kept per epoch (0..1)
  // Pairs per language and epoch at most (a fresh random subset each epoch); 0 = all. Keeps
  // the largest library (Java's) from dominating the table.
  size_t lang_cap = 0;
  // Consecutive pairs kept together in a batch (hard negatives); 1 = plain shuffle.
  int group = 1;
  int min_count = 2;
  // Last components of the file path put on a first line of the code side (the file
  // context the index adds to a block); 0 = none.
  int path_parts = 0;
  // The recommended minimum cosine for semantic search (config.json "min_score"), calibrated
  // after training (docs/model-card.md); negative = not written.
  double min_score = -1;
};

// ---- deterministic random numbers ------------------------------------------------------

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Normal() {  // Box-Muller
    const double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

template <typename T>
void Shuffle(std::vector<T>* v, Rng* rng) {
  for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[rng->Below(i)]);
}

// Runs fn(t) for t in [0, threads) on `threads` threads.
void Parallel(int threads, const std::function<void(int)>& fn) {
  if (threads <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(fn, t);
  fn(0);
  for (auto& th : pool) th.join();
}

// Dot product with 8 independent partial sums (vectorisable, fixed order).
float Dot(const float* a, const float* b, int n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) s[k] += a[i + k] * b[i + k];
  }
  float r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

// ---- data ---------------------------------------------------------------------------

// What the trainer keeps of a pair once its texts are tokenized (the texts themselves are
// not kept: a corpus of millions of pairs does not fit in memory as strings).
struct PairMeta {
  bool doc = false;    // kind "doc" (else "name")
  bool valid = false;  // held out
  uint16_t lang = 0;   // index into the language names
};

// Token id sequences, flat.
struct Seqs {
  std::vector<int32_t> ids;
  std::vector<size_t> start{0};  // size n + 1
  size_t size() const { return start.size() - 1; }
  const int32_t* begin(size_t i) const { return ids.data() + start[i]; }
  size_t len(size_t i) const { return start[i + 1] - start[i]; }
  void Append(const std::vector<int32_t>& v) {
    ids.insert(ids.end(), v.begin(), v.end());
    start.push_back(ids.size());
  }
};

// One parsed line of pairs.jsonl: the texts the trainer looks at.
struct RawPair {
  std::string kind, lang, summary, query, code, path;
  bool valid = false;
};

RawPair ParsePair(const std::string& line) {
  const nlohmann::json j = nlohmann::json::parse(line);
  RawPair p;
  p.kind = j.at("kind").get<std::string>();
  p.lang = j.at("lang").get<std::string>();
  p.summary = j.at("summary").get<std::string>();
  p.query = j.at("query").get<std::string>();
  p.code = j.at("code").get<std::string>();
  if (j.contains("path")) p.path = j.at("path").get<std::string>();
  p.valid = j.at("split").get<std::string>() == "valid";
  return p;
}

// The code side as the index embeds it: with `path_parts` > 0, the last path_parts
// components of the file's path on a first line (the block's file context).
std::string CodeText(const RawPair& p, int path_parts) {
  if (path_parts <= 0 || p.path.empty()) return p.code;
  size_t cut = p.path.size();
  for (int k = 0; k < path_parts && cut != std::string::npos && cut > 0; ++k) {
    cut = p.path.rfind('/', cut - 1);
  }
  const std::string tail = cut == std::string::npos ? p.path : p.path.substr(cut + 1);
  return tail + "\n" + p.code;
}

// Streams `path` in blocks of lines, parses each block on `threads` threads and hands the
// parsed pairs to fn(pairs) in file order.
void StreamPairs(const std::string& path, int threads,
                 const std::function<void(std::vector<RawPair>&)>& fn) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "train: cannot read " << path << "\n";
    std::exit(1);
  }
  constexpr size_t kBlock = 16384;
  std::vector<std::string> lines;
  for (;;) {
    lines.clear();
    std::string line;
    while (lines.size() < kBlock && std::getline(in, line)) {
      if (!line.empty()) lines.push_back(std::move(line));
    }
    if (lines.empty()) break;
    std::vector<RawPair> parsed(lines.size());
    Parallel(threads, [&](int t) {
      for (size_t i = t; i < lines.size(); i += threads) parsed[i] = ParsePair(lines[i]);
    });
    fn(parsed);
  }
}

// `max_chars`: kMaxTokens x MedianTokenLength(tok) (computed once by the caller: it looks at
// the whole vocabulary).
void EncodeIds(const EmbedTokenizer& tok, size_t max_chars, std::string_view text,
               std::vector<int32_t>* ids) {
  const int32_t unk = tok.unk_id().value_or(-1);
  ids->clear();
  tok.Encode(CodePointPrefix(text, max_chars), ids);
  ids->erase(std::remove(ids->begin(), ids->end(), unk), ids->end());
  if (ids->size() > static_cast<size_t>(kMaxTokens)) ids->resize(kMaxTokens);
}

// ---- vocabulary -----------------------------------------------------------------------

// Part counts over the training split (queries and code), summed over threads (the same
// for any thread count).
std::unordered_map<std::string, uint64_t> CountParts(const Options& o) {
  std::unordered_map<std::string, uint64_t> counts;
  StreamPairs(o.pairs, o.threads, [&](std::vector<RawPair>& block) {
    std::vector<std::unordered_map<std::string, uint64_t>> local(o.threads);
    Parallel(o.threads, [&](int t) {
      std::vector<std::string> words;
      for (size_t i = t; i < block.size(); i += o.threads) {
        const RawPair& p = block[i];
        if (p.valid) continue;
        words.clear();
        CodeTokenizer::Words(p.kind == "doc" ? p.query : p.summary, &words);
        CodeTokenizer::Words(CodeText(p, o.path_parts), &words);
        for (const std::string& w : words) ++local[t][w];
      }
    });
    for (auto& m : local) {
      for (auto& [w, c] : m) counts[w] += c;
    }
  });
  return counts;
}

std::unique_ptr<CodeTokenizer> BuildVocab(const std::unordered_map<std::string, uint64_t>& counts,
                                          const Options& o) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<CodeTokenizer::Piece> vocab;
  vocab.push_back({"[UNK]", 0.0});
  std::unordered_map<std::string, uint64_t> chosen;
  for (const auto& [w, c] : sorted) {
    if (static_cast<int>(chosen.size()) >= o.vocab) break;
    if (c < static_cast<uint64_t>(o.min_count)) break;
    chosen.emplace(w, c);
  }
  for (char c = 'a'; c <= 'z'; ++c) chosen.emplace(std::string(1, c), 1);
  for (char c = '0'; c <= '9'; ++c) chosen.emplace(std::string(1, c), 1);
  std::vector<std::pair<std::string, uint64_t>> final_list(chosen.begin(), chosen.end());
  std::sort(final_list.begin(), final_list.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  double total = 0;
  for (const auto& e : final_list) total += static_cast<double>(e.second);
  for (const auto& [w, c] : final_list) {
    // Rounded so that the JSON text round-trips to the same double.
    const double score = std::round(std::log(static_cast<double>(c) / total) * 1e6) / 1e6;
    vocab.push_back({w, score});
  }
  auto t = CodeTokenizer::Create(std::move(vocab), 0);
  if (!t.ok()) {
    std::cerr << "train: " << t.error().ToString() << "\n";
    std::exit(1);
  }
  return std::move(t).value();
}

// ---- model ----------------------------------------------------------------------------

struct Model {
  int vocab = 0, dim = 0;
  std::vector<float> e, m, v;  // table and Adam moments
  std::vector<int64_t> last;   // step of each row's last update (lazy Adam)
};

// out = normalised mean of rows; returns the norm before normalisation.
float EncodeOne(const Model& M, const int32_t* ids, size_t n, float* out) {
  const int d = M.dim;
  std::fill(out, out + d, 0.0f);
  for (size_t k = 0; k < n; ++k) {
    const float* row = M.e.data() + static_cast<size_t>(ids[k]) * d;
    for (int i = 0; i < d; ++i) out[i] += row[i];
  }
  if (n == 0) return 0;
  const float inv = 1.0f / static_cast<float>(n);
  for (int i = 0; i < d; ++i) out[i] *= inv;
  const float norm = std::sqrt(Dot(out, out, d));
  if (norm > 0) {
    const float r = 1.0f / norm;
    for (int i = 0; i < d; ++i) out[i] *= r;
  }
  return norm;
}

// MRR@10 and recall@1 of queries[i] -> codes[i] among all codes (exact cosine).
void Evaluate(const Model& M, const Seqs& q, const Seqs& c, const std::vector<size_t>& idx,
              int threads, double* mrr, double* r1) {
  const int d = M.dim;
  const size_t n = idx.size();
  std::vector<float> qv(n * d), cv(n * d);
  Parallel(threads, [&](int t) {
    for (size_t i = t; i < n; i += threads) {
      EncodeOne(M, q.begin(idx[i]), q.len(idx[i]), qv.data() + i * d);
      EncodeOne(M, c.begin(idx[i]), c.len(idx[i]), cv.data() + i * d);
    }
  });
  std::vector<double> rr(n, 0), hit(n, 0);
  Parallel(threads, [&](int t) {
    for (size_t i = t; i < n; i += threads) {
      const float* a = qv.data() + i * d;
      const float self = Dot(a, cv.data() + i * d, d);
      size_t better = 0;
      for (size_t j = 0; j < n && better < 10; ++j) {
        if (j != i && Dot(a, cv.data() + j * d, d) > self) ++better;
      }
      if (better < 10) rr[i] = 1.0 / static_cast<double>(better + 1);
      hit[i] = better == 0;
    }
  });
  *mrr = std::accumulate(rr.begin(), rr.end(), 0.0) / std::max<size_t>(1, n);
  *r1 = std::accumulate(hit.begin(), hit.end(), 0.0) / std::max<size_t>(1, n);
}

std::string F32Bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

void WriteModel(const Model& M, const CodeTokenizer& tok, const Options& o,
                const nlohmann::json& card) {
  fs::create_directories(o.out);
  const int d = M.dim;
  std::string q(static_cast<size_t>(M.vocab) * d, '\0');
  std::vector<float> scale(M.vocab, 0.0f);
  for (int r = 0; r < M.vocab; ++r) {
    const float* row = M.e.data() + static_cast<size_t>(r) * d;
    float mx = 0;
    for (int i = 0; i < d; ++i) mx = std::max(mx, std::fabs(row[i]));
    if (r == 0 || mx == 0) continue;  // [UNK] stays zero (the embedder drops it anyway)
    scale[r] = mx / 127.0f;
    for (int i = 0; i < d; ++i) {
      const long v = std::lround(row[i] / scale[r]);
      q[static_cast<size_t>(r) * d + i] = static_cast<char>(std::clamp<long>(v, -127, 127));
    }
  }
  std::vector<TensorToWrite> tensors;
  tensors.push_back({"embeddings", DType::kI8, {M.vocab, d}, std::move(q)});
  tensors.push_back({"weights", DType::kF32, {M.vocab}, F32Bytes(scale)});
  const std::string image = SerializeSafetensors(tensors, {{"format", "pt"}});
  std::ofstream(o.out + "/model.safetensors", std::ios::binary | std::ios::trunc) << image;
  std::ofstream(o.out + "/tokenizer.json", std::ios::binary | std::ios::trunc)
      << tok.ToJson() << "\n";
  std::ofstream(o.out + "/config.json", std::ios::binary | std::ios::trunc) << card.dump(2) << "\n";
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "train: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--pairs")
      o.pairs = next();
    else if (a == "--out")
      o.out = next();
    else if (a == "--vocab")
      o.vocab = std::stoi(next());
    else if (a == "--dim")
      o.dim = std::stoi(next());
    else if (a == "--epochs")
      o.epochs = std::stoi(next());
    else if (a == "--batch")
      o.batch = std::stoi(next());
    else if (a == "--lr")
      o.lr = std::stod(next());
    else if (a == "--temperature")
      o.temperature = std::stod(next());
    else if (a == "--seed")
      o.seed = std::stoull(next());
    else if (a == "--threads")
      o.threads = std::max(1, std::stoi(next()));
    else if (a == "--name-weight")
      o.name_weight = std::stod(next());
    else if (a == "--min-count")
      o.min_count = std::stoi(next());
    else if (a == "--lang-cap")
      o.lang_cap = std::stoull(next());
    else if (a == "--group")
      o.group = std::stoi(next());
    else if (a == "--path-parts")
      o.path_parts = std::stoi(next());
    else if (a == "--min-score")
      o.min_score = std::stod(next());
    else {
      std::cerr << "usage: train --pairs FILE --out DIR [--vocab N] [--dim D] [--epochs E]\n"
                   "  [--batch B] [--lr X] [--temperature T] [--seed S] [--threads N]\n"
                   "  [--name-weight F] [--min-count N] [--lang-cap N] [--group N] [--path-parts N]\n"
                   "  [--min-score X]\n";
      return 2;
    }
  }
  if (o.pairs.empty() || o.out.empty() || o.dim % 8 != 0) {
    std::cerr << "train: --pairs and --out are required; --dim must be a multiple of 8\n";
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  std::unique_ptr<CodeTokenizer> built = BuildVocab(CountParts(o), o);
  // Tokenize through the tokenizer as the embedder will load it (from its JSON).
  const std::string tok_json = built->ToJson();
  auto loaded = LoadTokenizerJson(tok_json, "trained tokenizer");
  if (!loaded.ok()) {
    std::cerr << "train: " << loaded.error().ToString() << "\n";
    return 1;
  }
  const EmbedTokenizer& tok = **loaded;
  std::fprintf(stderr, "train: vocab %d, median token length %d (%.1f s)\n", tok.vocab_size(),
               MedianTokenLength(tok), elapsed());

  // Sequences: per pair, the code, the summary (doc first sentence or split name) and, for
  // doc pairs, the whole doc.
  std::vector<PairMeta> pairs;
  std::vector<std::string> lang_names;
  std::map<std::string, uint16_t> lang_index;
  Seqs code, summary, doc;
  const size_t max_chars = static_cast<size_t>(kMaxTokens) * MedianTokenLength(tok);
  StreamPairs(o.pairs, o.threads, [&](std::vector<RawPair>& block) {
    std::vector<std::vector<int32_t>> c(block.size()), s(block.size()), d(block.size());
    Parallel(o.threads, [&](int t) {
      for (size_t i = t; i < block.size(); i += o.threads) {
        EncodeIds(tok, max_chars, CodeText(block[i], o.path_parts), &c[i]);
        EncodeIds(tok, max_chars, block[i].summary, &s[i]);
        if (block[i].kind == "doc") EncodeIds(tok, max_chars, block[i].query, &d[i]);
      }
    });
    for (size_t i = 0; i < block.size(); ++i) {
      auto [it, added] = lang_index.emplace(block[i].lang, lang_names.size());
      if (added) lang_names.push_back(block[i].lang);
      pairs.push_back({block[i].kind == "doc", block[i].valid, it->second});
      code.Append(c[i]);
      summary.Append(s[i]);
      doc.Append(d[i]);
    }
  });
  std::fprintf(stderr, "train: %zu pairs, %zu code tokens (%.1f s)\n", pairs.size(),
               code.ids.size(), elapsed());

  // Usable pairs: both sides non-empty. Validation: at most kMaxValid held-out doc pairs (an
  // even sample; the exact MRR is quadratic in their number).
  constexpr size_t kMaxValid = 5000;
  std::map<std::string, std::vector<size_t>> by_lang;  // training pairs per language
  std::vector<size_t> valid_doc;
  std::map<std::string, std::array<size_t, 2>> per_lang_kind;
  size_t n_doc = 0, n_name = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (code.len(i) == 0 || summary.len(i) == 0) continue;
    if (pairs[i].valid) {
      if (pairs[i].doc) valid_doc.push_back(i);
      continue;
    }
    by_lang[lang_names[pairs[i].lang]].push_back(i);
    ++per_lang_kind[lang_names[pairs[i].lang]][pairs[i].doc ? 0 : 1];
    (pairs[i].doc ? n_doc : n_name)++;
  }
  if (valid_doc.size() > kMaxValid) {
    std::vector<size_t> sample;
    for (size_t k = 0; k < kMaxValid; ++k) sample.push_back(valid_doc[k * valid_doc.size() / kMaxValid]);
    valid_doc = std::move(sample);
  }
  std::fprintf(stderr, "train: training pairs: %zu doc, %zu name; %zu valid doc pairs\n", n_doc,
               n_name, valid_doc.size());
  for (const auto& [lang, k] : per_lang_kind) {
    std::fprintf(stderr, "train:   %-12s doc %8zu  name %8zu\n", lang.c_str(), k[0], k[1]);
  }

  // IDF over the code side of the training pairs.
  Model M;
  M.vocab = tok.vocab_size();
  M.dim = o.dim;
  std::vector<uint32_t> df(M.vocab, 0);
  size_t ndocs = 0;
  {
    std::vector<int32_t> seen(M.vocab, -1);
    for (const auto& [lang, v] : by_lang) {
      for (size_t i : v) {
        ++ndocs;
        for (size_t k = 0; k < code.len(i); ++k) {
          const int32_t id = code.begin(i)[k];
          if (seen[id] != static_cast<int32_t>(i)) {
            seen[id] = static_cast<int32_t>(i);
            ++df[id];
          }
        }
      }
    }
  }
  Rng rng{o.seed};
  const size_t dsz = static_cast<size_t>(M.vocab) * M.dim;
  M.e.assign(dsz, 0.0f);
  M.m.assign(dsz, 0.0f);
  M.v.assign(dsz, 0.0f);
  M.last.assign(M.vocab, 0);
  for (int r = 0; r < M.vocab; ++r) {
    const double idf = std::log(1.0 + (static_cast<double>(ndocs) - df[r] + 0.5) / (df[r] + 0.5));
    std::vector<double> g(M.dim);
    double norm = 0;
    for (double& x : g) {
      x = rng.Normal();
      norm += x * x;
    }
    norm = std::sqrt(norm);
    for (int i = 0; i < M.dim; ++i) {
      M.e[static_cast<size_t>(r) * M.dim + i] = static_cast<float>(g[i] / norm * idf);
    }
  }
  double mrr = 0, r1 = 0;
  Evaluate(M, summary, code, valid_doc, o.threads, &mrr, &r1);
  std::fprintf(stderr, "train: init (TF-IDF-like): valid MRR@10 %.4f R@1 %.4f (%.1f s)\n", mrr, r1,
               elapsed());

  const int d = M.dim;
  const int T = o.threads;
  const float inv_temp = static_cast<float>(1.0 / o.temperature);
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  int64_t step = 0;
  std::vector<float> qv, cv, qn, cn, S, G, gq, gc;
  std::vector<uint8_t> touched(M.vocab, 0);
  std::vector<float> grad(dsz, 0.0f);  // dense accumulator; only touched rows are nonzero
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    // Batches: per language, pairs shuffled, cut into batches; all batches shuffled.
    std::vector<std::vector<size_t>> batches;
    for (auto& [lang, v0] : by_lang) {
      std::vector<size_t> v;
      for (size_t i : v0) {
        if (!pairs[i].doc && o.name_weight < 1.0 && rng.Uniform() >= o.name_weight) {
          continue;
        }
        v.push_back(i);
      }
      if (o.group > 1) {
        // Runs of `group` consecutive pairs of one kind (the corpus is in path order: the
        // same file or package) stay together: harder in-batch negatives, as in a search
        // inside one repository. Doc and name pairs of one function never meet this way.
        std::vector<std::vector<size_t>> groups;
        for (const bool doc_kind : {true, false}) {
          std::vector<size_t> run;
          for (size_t i : v) {
            if (pairs[i].doc != doc_kind) continue;
            run.push_back(i);
            if (run.size() == static_cast<size_t>(o.group)) {
              groups.push_back(std::move(run));
              run.clear();
            }
          }
          if (!run.empty()) groups.push_back(std::move(run));
        }
        Shuffle(&groups, &rng);
        v.clear();
        for (const auto& g : groups) v.insert(v.end(), g.begin(), g.end());
      } else {
        Shuffle(&v, &rng);
      }
      if (o.lang_cap > 0 && v.size() > o.lang_cap) v.resize(o.lang_cap);
      for (size_t s = 0; s + o.batch / 4 <= v.size(); s += o.batch) {
        batches.emplace_back(v.begin() + s, v.begin() + std::min(v.size(), s + o.batch));
      }
    }
    Shuffle(&batches, &rng);
    double loss_sum = 0;
    for (const std::vector<size_t>& batch : batches) {
      const size_t B = batch.size();
      // Which query text: the doc's first sentence, or (one time in four) the whole doc.
      std::vector<const Seqs*> qs(B);
      for (size_t b = 0; b < B; ++b) {
        const size_t i = batch[b];
        qs[b] = (pairs[i].doc && rng.Below(4) == 0 && doc.len(i) > 0) ? &doc : &summary;
      }
      qv.assign(B * d, 0);
      cv.assign(B * d, 0);
      qn.assign(B, 0);
      cn.assign(B, 0);
      Parallel(T, [&](int t) {
        for (size_t b = t; b < B; b += T) {
          const size_t i = batch[b];
          qn[b] = EncodeOne(M, qs[b]->begin(i), qs[b]->len(i), qv.data() + b * d);
          cn[b] = EncodeOne(M, code.begin(i), code.len(i), cv.data() + b * d);
        }
      });
      S.assign(B * B, 0);
      Parallel(T, [&](int t) {
        for (size_t a = t; a < B; a += T) {
          for (size_t b = 0; b < B; ++b) {
            S[a * B + b] = Dot(qv.data() + a * d, cv.data() + b * d, d) * inv_temp;
          }
        }
      });
      // G = dLoss/dS: (softmax over rows - I)/2B + (softmax over columns - I)/2B.
      G.assign(B * B, 0);
      std::vector<double> row_loss(B, 0), col_loss(B, 0);
      const float half_inv_b = 0.5f / static_cast<float>(B);
      Parallel(T, [&](int t) {
        for (size_t a = t; a < B; a += T) {
          float mx = -1e30f;
          for (size_t b = 0; b < B; ++b) mx = std::max(mx, S[a * B + b]);
          double z = 0;
          for (size_t b = 0; b < B; ++b) z += std::exp(static_cast<double>(S[a * B + b] - mx));
          row_loss[a] = std::log(z) + mx - S[a * B + a];
          for (size_t b = 0; b < B; ++b) {
            const double p = std::exp(static_cast<double>(S[a * B + b] - mx)) / z;
            G[a * B + b] = static_cast<float>(p - (a == b)) * half_inv_b;
          }
        }
      });
      std::vector<float> Gc(B * B, 0);
      Parallel(T, [&](int t) {
        for (size_t b = t; b < B; b += T) {
          float mx = -1e30f;
          for (size_t a = 0; a < B; ++a) mx = std::max(mx, S[a * B + b]);
          double z = 0;
          for (size_t a = 0; a < B; ++a) z += std::exp(static_cast<double>(S[a * B + b] - mx));
          col_loss[b] = std::log(z) + mx - S[b * B + b];
          for (size_t a = 0; a < B; ++a) {
            const double p = std::exp(static_cast<double>(S[a * B + b] - mx)) / z;
            Gc[a * B + b] = static_cast<float>(p - (a == b)) * half_inv_b;
          }
        }
      });
      for (size_t k = 0; k < B * B; ++k) G[k] = (G[k] + Gc[k]) * inv_temp;
      for (size_t a = 0; a < B; ++a) loss_sum += (row_loss[a] + col_loss[a]) / (2.0 * B);
      // Gradients w.r.t. the normalised vectors, then through the normalisation and mean.
      gq.assign(B * d, 0);
      gc.assign(B * d, 0);
      Parallel(T, [&](int t) {
        for (size_t a = t; a < B; a += T) {
          float* g = gq.data() + a * d;
          for (size_t b = 0; b < B; ++b) {
            const float w = G[a * B + b];
            const float* c = cv.data() + b * d;
            for (int i = 0; i < d; ++i) g[i] += w * c[i];
          }
          float* h = gc.data() + a * d;  // code a: sum over queries b of G[b][a] q_b
          for (size_t b = 0; b < B; ++b) {
            const float w = G[b * B + a];
            const float* q = qv.data() + b * d;
            for (int i = 0; i < d; ++i) h[i] += w * q[i];
          }
        }
      });
      auto through_norm = [&](float* g, const float* u, float norm, size_t len) {
        if (norm <= 0 || len == 0) {
          std::fill(g, g + d, 0.0f);
          return;
        }
        const float ug = Dot(u, g, d);
        const float s = 1.0f / (norm * static_cast<float>(len));
        for (int i = 0; i < d; ++i) g[i] = (g[i] - u[i] * ug) * s;
      };
      Parallel(T, [&](int t) {
        for (size_t b = t; b < B; b += T) {
          const size_t i = batch[b];
          through_norm(gq.data() + b * d, qv.data() + b * d, qn[b], qs[b]->len(i));
          through_norm(gc.data() + b * d, cv.data() + b * d, cn[b], code.len(i));
        }
      });
      // Scatter into rows (row % T == t), batch order fixed; then lazy Adam on those rows.
      ++step;
      const float bc1 = 1.0f - std::pow(b1, static_cast<float>(step));
      const float bc2 = 1.0f - std::pow(b2, static_cast<float>(step));
      const float lr = static_cast<float>(o.lr);
      Parallel(T, [&](int t) {
        std::vector<int32_t> rows;
        auto add = [&](const int32_t* ids, size_t n, const float* g) {
          for (size_t k = 0; k < n; ++k) {
            const int32_t r = ids[k];
            if (r % T != t) continue;
            float* acc = grad.data() + static_cast<size_t>(r) * d;
            for (int i = 0; i < d; ++i) acc[i] += g[i];
            if (!touched[r]) {
              touched[r] = 1;
              rows.push_back(r);
            }
          }
        };
        for (size_t b = 0; b < B; ++b) {
          const size_t i = batch[b];
          add(qs[b]->begin(i), qs[b]->len(i), gq.data() + b * d);
          add(code.begin(i), code.len(i), gc.data() + b * d);
        }
        for (int32_t r : rows) {
          const size_t base = static_cast<size_t>(r) * d;
          // Lazy Adam: decay the moments for the steps the row missed.
          const int64_t missed = step - 1 - M.last[r];
          float dm = 1, dv = 1;
          if (missed > 0) {
            dm = std::pow(b1, static_cast<float>(missed));
            dv = std::pow(b2, static_cast<float>(missed));
          }
          for (int i = 0; i < d; ++i) {
            const float g = grad[base + i];
            float& m = M.m[base + i];
            float& v = M.v[base + i];
            m = b1 * m * dm + (1 - b1) * g;
            v = b2 * v * dv + (1 - b2) * g * g;
            M.e[base + i] -= lr * (m / bc1) / (std::sqrt(v / bc2) + eps);
            grad[base + i] = 0;
          }
          M.last[r] = step;
          touched[r] = 0;
        }
      });
    }
    Evaluate(M, summary, code, valid_doc, o.threads, &mrr, &r1);
    std::fprintf(stderr,
                 "train: epoch %d: %zu batches, loss %.4f, valid MRR@10 %.4f R@1 %.4f (%.1f s)\n",
                 epoch + 1, batches.size(), loss_sum / std::max<size_t>(1, batches.size()), mrr, r1,
                 elapsed());
  }

  nlohmann::json card = {{"model_type", "model2vec"},
                         {"architectures", {"StaticModel"}},
                         {"name", "codeindex-code-static"},
                         {"hidden_dim", o.dim},
                         {"normalize", true},
                         {"tokenizer", "CodeUnigram"},
                         {"training",
                          {{"pairs", o.pairs.substr(o.pairs.find_last_of('/') + 1)},
                           {"vocab_limit", o.vocab},
                           {"min_count", o.min_count},
                           {"epochs", o.epochs},
                           {"batch", o.batch},
                           {"lr", o.lr},
                           {"temperature", o.temperature},
                           {"seed", o.seed},
                           {"name_weight", o.name_weight},
                           {"lang_cap", o.lang_cap},
                           {"group", o.group},
                           {"path_parts", o.path_parts},
                           {"doc_pairs", n_doc},
                           {"name_pairs", n_name},
                           {"valid_doc_pairs", valid_doc.size()},
                           {"valid_mrr10", std::round(mrr * 1e4) / 1e4}}}};
  if (o.min_score >= 0) card["min_score"] = o.min_score;
  WriteModel(M, *built, o, card);
  std::fprintf(stderr, "train: wrote %s (%.1f s)\n", o.out.c_str(), elapsed());
  return 0;
}

}  // namespace
}  // namespace codeindex::train

int main(int argc, char** argv) { return codeindex::train::Main(argc, argv); }
