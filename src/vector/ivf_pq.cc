#include "vector/ivf_pq.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/distances.h>
#include <omp.h>

namespace codeindex::vec {
namespace {

constexpr uint32_t kModelMagic = 0x4d505643;  // "CVPM"
constexpr uint32_t kModelVersion = 1;

template <typename T>
void Put(std::string* s, T v) {
  s->append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
bool Get(std::string_view* s, T* v) {
  if (s->size() < sizeof(T)) return false;
  std::memcpy(v, s->data(), sizeof(T));
  s->remove_prefix(sizeof(T));
  return true;
}

// FAISS computes distances in blocks of query_bs x database_bs floats (default 4096 x 1024 =
// 16 MB, allocated per call). 1 MB blocks cost no measurable speed and keep the indexer's
// peak memory (and ASan's fresh-page faults in tests: 6x faster) down.
void ConfigureFaissOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    faiss::distance_compute_blas_query_bs = 1024;
    faiss::distance_compute_blas_database_bs = 256;
  });
}

}  // namespace

ScopedOmpThreads::ScopedOmpThreads(int n) : saved_(omp_get_max_threads()) {
  omp_set_num_threads(std::max(1, n));
}
ScopedOmpThreads::~ScopedOmpThreads() { omp_set_num_threads(saved_); }

Result<PqModel> PqModel::Train(const float* x, size_t n, size_t dim, size_t nlist, size_t dsub,
                               int seed) {
  if (dim == 0 || dsub == 0 || nlist == 0 || n < nlist || n < 16) {
    return Status::InvalidArgument("PQ training needs at least max(nlist, 16) vectors");
  }
  ConfigureFaissOnce();
  PqModel model;
  model.dim_ = dim;
  model.nlist_ = nlist;
  model.dsub_ = dsub;
  model.m_ = (dim + dsub - 1) / dsub;
  model.m_ += model.m_ % 2;
  model.trained_on_ = n;
  try {
    faiss::ClusteringParameters cp;
    cp.niter = 20;
    cp.spherical = true;
    cp.seed = seed;
    cp.min_points_per_centroid = 1;  // we choose the sample size ourselves
    cp.max_points_per_centroid = 1 << 30;
    faiss::Clustering coarse(static_cast<int>(dim), static_cast<int>(nlist), cp);
    faiss::IndexFlatIP coarse_index(static_cast<int64_t>(dim));
    coarse.train(static_cast<int64_t>(n), x, coarse_index);
    model.centroids_ = std::move(coarse.centroids);

    std::vector<uint32_t> assign(n);
    model.Assign(x, n, assign.data());

    // One 16-way k-means per sub-quantiser on the residuals' slice: n x dsub floats at a time.
    model.codebooks_.assign(model.m_ * 16 * dsub, 0.0f);
    std::vector<float> sub(n * dsub);
    faiss::ClusteringParameters pcp;
    pcp.niter = 25;
    pcp.seed = seed + 1;
    pcp.min_points_per_centroid = 1;
    pcp.max_points_per_centroid = 1 << 30;
    for (size_t j = 0; j * dsub < dim; ++j) {
      for (size_t i = 0; i < n; ++i) {
        const float* xi = x + i * dim;
        const float* ci = model.centroid(assign[i]);
        for (size_t t = 0; t < dsub; ++t) {
          const size_t d = j * dsub + t;
          sub[i * dsub + t] = d < dim ? xi[d] - ci[d] : 0.0f;
        }
      }
      faiss::Clustering pq(static_cast<int>(dsub), 16, pcp);
      faiss::IndexFlatL2 pq_index(static_cast<int64_t>(dsub));
      pq.train(static_cast<int64_t>(n), sub.data(), pq_index);
      std::copy(pq.centroids.begin(), pq.centroids.end(),
                model.codebooks_.begin() + static_cast<ptrdiff_t>(j * 16 * dsub));
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("faiss training failed: ") + e.what());
  }
  return model;
}

void PqModel::Assign(const float* x, size_t n, uint32_t* lists) const {
  ConfigureFaissOnce();
  constexpr size_t kBatch = 4096;  // bounds the temporary distance matrix
  std::vector<float> dist(kBatch);
  std::vector<int64_t> idx(kBatch);
  for (size_t i = 0; i < n; i += kBatch) {
    const size_t b = std::min(kBatch, n - i);
    faiss::knn_inner_product(x + i * dim_, centroids_.data(), dim_, b, nlist_, 1, dist.data(),
                             idx.data());
    for (size_t t = 0; t < b; ++t)
      lists[i + t] = static_cast<uint32_t>(std::max<int64_t>(0, idx[t]));
  }
}

void PqModel::Encode(const float* x, uint32_t list, uint8_t* packed) const {
  const float* c = centroid(list);
  std::memset(packed, 0, code_bytes());
  float r[64];
  for (size_t j = 0; j * dsub_ < dim_; ++j) {
    for (size_t t = 0; t < dsub_; ++t) {
      const size_t d = j * dsub_ + t;
      r[t] = d < dim_ ? x[d] - c[d] : 0.0f;
    }
    const float* book = codebooks_.data() + j * 16 * dsub_;
    uint8_t best = 0;
    float best_d = INFINITY;
    for (uint8_t k = 0; k < 16; ++k) {
      float d2 = 0;
      for (size_t t = 0; t < dsub_; ++t) {
        const float diff = r[t] - book[k * dsub_ + t];
        d2 += diff * diff;
      }
      if (d2 < best_d) {
        best_d = d2;
        best = k;
      }
    }
    packed[j / 2] |= static_cast<uint8_t>(best << (4 * (j % 2)));
  }
}

void PqModel::ComputeTables(const DistanceKernels& k, const float* q, QueryTables* t) const {
  // ip[j][c] = <q_j, codebook_j[c]>; the zero-padded tail of q is implicit (the padded
  // codebook coordinates are trained on zeros, and we stop at dim).
  std::vector<float> ip(m_ * 16, 0.0f);
  for (size_t j = 0; j * dsub_ < dim_; ++j) {
    const size_t len = std::min(dsub_, dim_ - j * dsub_);
    for (size_t c = 0; c < 16; ++c) {
      ip[j * 16 + c] = k.dot_f32(q + j * dsub_, codebooks_.data() + (j * 16 + c) * dsub_, len);
    }
  }
  float max_range = 0, offset = 0;
  std::vector<float> max_ip(m_);
  for (size_t j = 0; j < m_; ++j) {
    const float* row = ip.data() + j * 16;
    const float mx = *std::max_element(row, row + 16);
    const float mn = *std::min_element(row, row + 16);
    max_ip[j] = mx;
    offset += mx;
    max_range = std::max(max_range, mx - mn);
  }
  // Table entries are (max_j - ip) / scale in [0, lut_max], lut_max chosen so that the uint16
  // sum of m entries stays under 32768 (Pq4ScanBlocks' REQUIRES).
  const float lut_max = static_cast<float>(std::min<size_t>(255, 32767 / m_));
  const float scale = max_range > 0 ? max_range / lut_max : 1.0f;
  t->scale = scale;
  t->offset = offset;
  t->lut.assign(m_ * 16, 0);
  for (size_t j = 0; j < m_; ++j) {
    const size_t p = j / 2, half = j % 2;
    for (size_t c = 0; c < 16; ++c) {
      const float v = std::round((max_ip[j] - ip[j * 16 + c]) / scale);
      t->lut[p * 32 + half * 16 + c] = static_cast<uint8_t>(std::clamp(v, 0.0f, lut_max));
    }
  }
}

std::string PqModel::Serialize() const {
  std::string s;
  Put(&s, kModelMagic);
  Put(&s, kModelVersion);
  Put<uint64_t>(&s, dim_);
  Put<uint64_t>(&s, nlist_);
  Put<uint64_t>(&s, m_);
  Put<uint64_t>(&s, dsub_);
  Put<uint64_t>(&s, trained_on_);
  s.append(reinterpret_cast<const char*>(centroids_.data()), centroids_.size() * sizeof(float));
  s.append(reinterpret_cast<const char*>(codebooks_.data()), codebooks_.size() * sizeof(float));
  return s;
}

Result<PqModel> PqModel::Deserialize(std::string_view data, const std::string& context) {
  PqModel m;
  uint32_t magic = 0, version = 0;
  uint64_t dim = 0, nlist = 0, mm = 0, dsub = 0, trained = 0;
  if (!Get(&data, &magic) || magic != kModelMagic) {
    return Status::Corruption(context + ": not a codeindex PQ model");
  }
  if (!Get(&data, &version) || version != kModelVersion) {
    return Status::Corruption(context + ": PQ model version " + std::to_string(version) +
                              ", this build reads " + std::to_string(kModelVersion));
  }
  if (!Get(&data, &dim) || !Get(&data, &nlist) || !Get(&data, &mm) || !Get(&data, &dsub) ||
      !Get(&data, &trained) || dim == 0 || dsub == 0 || dsub > 64 || mm % 2 != 0 ||
      mm * dsub < dim || mm > 4096 || nlist == 0 || nlist > (1u << 24)) {
    return Status::Corruption(context + ": bad PQ model header");
  }
  const size_t nc = nlist * dim, nb = mm * 16 * dsub;
  if (data.size() != (nc + nb) * sizeof(float)) {
    return Status::Corruption(context + ": PQ model has the wrong size");
  }
  m.dim_ = dim;
  m.nlist_ = nlist;
  m.m_ = mm;
  m.dsub_ = dsub;
  m.trained_on_ = trained;
  m.centroids_.resize(nc);
  m.codebooks_.resize(nb);
  std::memcpy(m.centroids_.data(), data.data(), nc * sizeof(float));
  std::memcpy(m.codebooks_.data(), data.data() + nc * sizeof(float), nb * sizeof(float));
  return m;
}

void IvfLists::Append(uint32_t list, uint32_t row, const uint8_t* packed) {
  List& l = lists_[list];
  const size_t i = l.rows.size();
  const size_t block_bytes = code_bytes_ * 2 * 16;  // m/2 pairs x 32 bytes
  if (i % kPq4BlockSize == 0) {
    // Grow by about 1/8 rather than doubling: the lists are most of the index's RAM.
    if (l.blocks.size() + block_bytes > l.blocks.capacity()) {
      l.blocks.reserve(l.blocks.size() +
                       std::max(block_bytes, l.blocks.size() / 8 / block_bytes * block_bytes));
      l.rows.reserve(l.rows.size() + std::max<size_t>(kPq4BlockSize, l.rows.size() / 8));
    }
    l.blocks.resize(l.blocks.size() + block_bytes, 0);
  }
  l.rows.push_back(row);
  uint8_t* block = l.blocks.data() + (i / kPq4BlockSize) * block_bytes;
  const size_t v = i % kPq4BlockSize;
  const size_t byte = v & 15;
  const int shift = v < 16 ? 0 : 4;
  for (size_t j = 0; j < code_bytes_ * 2; ++j) {
    const uint8_t code = (packed[j / 2] >> (4 * (j % 2))) & 15;
    block[(j / 2) * 32 + (j % 2) * 16 + byte] |= static_cast<uint8_t>(code << shift);
  }
}

uint8_t IvfLists::Code(size_t list, size_t i, size_t j) const {
  const size_t block_bytes = code_bytes_ * 2 * 16;
  const uint8_t* block = lists_[list].blocks.data() + (i / kPq4BlockSize) * block_bytes;
  const size_t v = i % kPq4BlockSize;
  return (block[(j / 2) * 32 + (j % 2) * 16 + (v & 15)] >> (v < 16 ? 0 : 4)) & 15;
}

void IvfLists::Remap(const std::vector<uint32_t>& map) {
  std::vector<uint8_t> packed(code_bytes_);
  for (size_t l = 0; l < lists_.size(); ++l) {
    List old = std::move(lists_[l]);
    lists_[l] = List();
    IvfLists tmp;  // reuse Append on the fresh list through a one-list view
    tmp.lists_.resize(1);
    tmp.code_bytes_ = code_bytes_;
    for (size_t i = 0; i < old.rows.size(); ++i) {
      const uint32_t to = map[old.rows[i]];
      if (to == kDropped) continue;
      const size_t block_bytes = code_bytes_ * 2 * 16;
      const uint8_t* block = old.blocks.data() + (i / kPq4BlockSize) * block_bytes;
      const size_t v = i % kPq4BlockSize;
      std::fill(packed.begin(), packed.end(), 0);
      for (size_t j = 0; j < code_bytes_ * 2; ++j) {
        const uint8_t c = (block[(j / 2) * 32 + (j % 2) * 16 + (v & 15)] >> (v < 16 ? 0 : 4)) & 15;
        packed[j / 2] |= static_cast<uint8_t>(c << (4 * (j % 2)));
      }
      tmp.Append(0, to, packed.data());
    }
    lists_[l] = std::move(tmp.lists_[0]);
  }
}

void IvfLists::Reserve(const std::vector<size_t>& counts) {
  const size_t block_bytes = code_bytes_ * 2 * 16;
  for (size_t l = 0; l < lists_.size() && l < counts.size(); ++l) {
    lists_[l].blocks.reserve((counts[l] + kPq4BlockSize - 1) / kPq4BlockSize * block_bytes);
    lists_[l].rows.reserve(counts[l]);
  }
}

void IvfLists::ShrinkToFit() {
  for (List& l : lists_) {
    l.blocks.shrink_to_fit();
    l.rows.shrink_to_fit();
  }
}

size_t IvfLists::RamBytes() const {
  size_t b = lists_.capacity() * sizeof(List);
  for (const List& l : lists_) b += l.blocks.capacity() + l.rows.capacity() * sizeof(uint32_t);
  return b;
}

std::vector<Candidate> ScanIvf(const DistanceKernels& k, const PqModel& model,
                               const IvfLists& lists, const float* q, size_t nprobe,
                               size_t max_candidates,
                               const std::function<bool(uint32_t row)>& accept) {
  const size_t nlist = model.nlist();
  nprobe = std::min(nprobe, nlist);
  // Coarse step: the nprobe lists whose centroids have the largest inner product with q.
  std::vector<std::pair<float, uint32_t>> coarse(nlist);
  for (size_t l = 0; l < nlist; ++l) {
    coarse[l] = {k.dot_f32(q, model.centroid(l), model.dim()), static_cast<uint32_t>(l)};
  }
  std::partial_sort(coarse.begin(), coarse.begin() + static_cast<ptrdiff_t>(nprobe), coarse.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });

  PqModel::QueryTables tables;
  model.ComputeTables(k, q, &tables);
  const size_t num_pairs = model.m() / 2;

  // Min-heap on the approximate score: the root is the worst kept candidate.
  auto worse = [](const Candidate& a, const Candidate& b) { return a.approx > b.approx; };
  std::vector<Candidate> heap;
  heap.reserve(max_candidates + 1);
  std::vector<uint16_t> dist;
  for (size_t p = 0; p < nprobe; ++p) {
    const uint32_t l = coarse[p].second;
    const size_t n = lists.size(l);
    if (n == 0) continue;
    const size_t num_blocks = (n + kPq4BlockSize - 1) / kPq4BlockSize;
    dist.resize(num_blocks * kPq4BlockSize);
    k.pq4_scan_blocks(lists.blocks(l), num_blocks, tables.lut.data(), num_pairs, dist.data());
    const float base = coarse[p].first + tables.offset;
    // approx = base - scale * dist; admit while approx > heap root, i.e. dist < limit.
    float limit =
        heap.size() < max_candidates ? INFINITY : (base - heap.front().approx) / tables.scale;
    const uint32_t* rows = lists.rows(l);
    for (size_t i = 0; i < n; ++i) {
      if (!(static_cast<float>(dist[i]) < limit)) continue;
      if (!accept(rows[i])) continue;
      const Candidate c{rows[i], base - tables.scale * static_cast<float>(dist[i])};
      if (heap.size() < max_candidates) {
        heap.push_back(c);
        std::push_heap(heap.begin(), heap.end(), worse);
      } else {
        std::pop_heap(heap.begin(), heap.end(), worse);
        heap.back() = c;
        std::push_heap(heap.begin(), heap.end(), worse);
      }
      if (heap.size() == max_candidates) limit = (base - heap.front().approx) / tables.scale;
    }
  }
  std::sort_heap(heap.begin(), heap.end(), worse);
  return heap;
}

}  // namespace codeindex::vec
