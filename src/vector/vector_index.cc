#include "vector/vector_index.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/file.h"
#include "base/hash.h"
#include "vector/distance.h"
#include "vector/ivf_pq.h"
#include "vector/row_store.h"

namespace codeindex::vec {
namespace {

constexpr char kManifestMagic[8] = {'C', 'I', 'V', 'E', 'C', 'M', 'A', 'N'};
constexpr size_t kEncodeBatch = 4096;  // rows dequantised at a time when (re)encoding

// A reader-writer lock that prefers writers, so that a steady stream of searches cannot
// starve an update (glibc's default rwlock prefers readers).
class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;
  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

class SharedGuard {
 public:
  explicit SharedGuard(RwLock& l) : l_(l) { l_.lock_shared(); }
  ~SharedGuard() { l_.unlock_shared(); }
  SharedGuard(const SharedGuard&) = delete;
  SharedGuard& operator=(const SharedGuard&) = delete;

 private:
  RwLock& l_;
};

void Normalize(const float* x, size_t dim, float* out) {
  double n2 = 0;
  for (size_t i = 0; i < dim; ++i) n2 += static_cast<double>(x[i]) * x[i];
  const float inv = n2 > 0 ? static_cast<float>(1.0 / std::sqrt(n2)) : 0.0f;
  for (size_t i = 0; i < dim; ++i) out[i] = x[i] * inv;
}

size_t NearestPow2(double x) {
  size_t p = 1;
  while (static_cast<double>(p) * 1.5 < x) p *= 2;
  return p;
}

template <typename T>
void Put(std::string* s, T v) {
  s->append(reinterpret_cast<const char*>(&v), sizeof v);
}
void PutString(std::string* s, std::string_view v) {
  Put<uint32_t>(s, static_cast<uint32_t>(v.size()));
  s->append(v);
}
template <typename T>
bool Get(std::string_view* s, T* v) {
  if (s->size() < sizeof(T)) return false;
  std::memcpy(v, s->data(), sizeof(T));
  s->remove_prefix(sizeof(T));
  return true;
}
bool GetString(std::string_view* s, std::string* v) {
  uint32_t n;
  if (!Get(s, &n) || s->size() < n) return false;
  v->assign(s->data(), n);
  s->remove_prefix(n);
  return true;
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::FromErrno(dir, err);
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  return names;
}

uint32_t Crc(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const Bytef*>(data);
  while (n > 0) {  // zlib's length is a uInt
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, p, chunk));
    p += chunk;
    n -= chunk;
  }
  return crc;
}

// The CRC-32 of bytes [begin, end) of `path`, continuing `crc` (the CRC of the bytes before
// `begin`). Corruption when the file is shorter than `end`.
Result<uint32_t> CrcOfFile(const std::string& path, uint64_t begin, uint64_t end, uint32_t crc) {
  if (end <= begin) return crc;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Corruption(path + ": missing");
    return Status::FromErrno(path, errno);
  }
  std::vector<uint8_t> buf(std::min<uint64_t>(end - begin, 1 << 20));
  Status st;
  for (uint64_t off = begin; off < end;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - off));
    const ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(off));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      st = Status::FromErrno(path, errno);
      break;
    }
    if (got == 0) {
      st = Status::Corruption(path + ": shorter than its MANIFEST says");
      break;
    }
    crc = Crc(crc, buf.data(), static_cast<size_t>(got));
    off += static_cast<uint64_t>(got);
  }
  ::close(fd);
  RETURN_IF_ERROR(st);
  return crc;
}

Status ChecksumMismatch(const std::string& path) {
  return Status::Corruption(path + ": checksum mismatch (damaged or changed since its MANIFEST)");
}

// "rows-12.vec" -> 12; 0 when the name is not one of our generation files.
uint64_t GenerationOf(const std::string& name) {
  for (const char* prefix : {"rows-", "pq-", "model-"}) {
    const size_t n = std::strlen(prefix);
    if (name.compare(0, n, prefix) == 0) return std::strtoull(name.c_str() + n, nullptr, 10);
  }
  return 0;
}

// The committed state, as the MANIFEST records it.
struct Manifest {
  uint64_t dim = 0;
  uint64_t rows = 0;
  std::string rows_base;   // file name without .ids/.vec
  std::string pq_file;     // "" when untrained
  std::string model_file;  // "" when untrained
  std::string tag;
  // CRC-32 of the committed bytes of each file: the first rows * 8 of the ids, the first
  // rows * RecordSize(dim) of the records, the first rows * (4 + m/2) of the PQ codes, the
  // whole model file (0 for the last two when untrained).
  uint32_t ids_crc = 0, vec_crc = 0, pq_crc = 0, model_crc = 0;
  std::vector<uint64_t> tombstones;  // bitset, ceil(rows / 64) words

  std::string Serialize() const {
    std::string s(kManifestMagic, sizeof kManifestMagic);
    Put<uint32_t>(&s, kVectorIndexFormatVersion);
    Put<uint64_t>(&s, dim);
    Put<uint64_t>(&s, rows);
    PutString(&s, rows_base);
    PutString(&s, pq_file);
    PutString(&s, model_file);
    PutString(&s, tag);
    Put<uint32_t>(&s, ids_crc);
    Put<uint32_t>(&s, vec_crc);
    Put<uint32_t>(&s, pq_crc);
    Put<uint32_t>(&s, model_crc);
    Put<uint64_t>(&s, tombstones.size());
    if (!tombstones.empty()) {
      s.append(reinterpret_cast<const char*>(tombstones.data()), tombstones.size() * 8);
    }
    const Sha256Digest d = Sha256(s);
    s.append(reinterpret_cast<const char*>(d.data()), d.size());
    return s;
  }

  static Result<Manifest> Parse(std::string_view data, const std::string& path) {
    if (data.size() < sizeof kManifestMagic + 32 ||
        std::memcmp(data.data(), kManifestMagic, sizeof kManifestMagic) != 0) {
      return Status::Corruption(path + ": not a codeindex vector index manifest");
    }
    const std::string_view body = data.substr(0, data.size() - 32);
    const Sha256Digest d = Sha256(body);
    if (std::memcmp(d.data(), data.data() + body.size(), 32) != 0) {
      return Status::Corruption(path + ": checksum mismatch");
    }
    std::string_view s = body.substr(sizeof kManifestMagic);
    uint32_t version = 0;
    if (!Get(&s, &version)) return Status::Corruption(path + ": truncated");
    if (version != kVectorIndexFormatVersion) {
      return Status::FailedPrecondition(
          path + ": format version " + std::to_string(version) + ", this build reads version " +
          std::to_string(kVectorIndexFormatVersion) + " (rebuild the index)");
    }
    Manifest m;
    uint64_t words = 0;
    if (!Get(&s, &m.dim) || !Get(&s, &m.rows) || !GetString(&s, &m.rows_base) ||
        !GetString(&s, &m.pq_file) || !GetString(&s, &m.model_file) || !GetString(&s, &m.tag) ||
        !Get(&s, &m.ids_crc) || !Get(&s, &m.vec_crc) || !Get(&s, &m.pq_crc) ||
        !Get(&s, &m.model_crc) || !Get(&s, &words) || words != (m.rows + 63) / 64 ||
        s.size() != words * 8 || m.dim == 0) {
      return Status::Corruption(path + ": malformed manifest");
    }
    m.tombstones.resize(words);
    if (words > 0) std::memcpy(m.tombstones.data(), s.data(), words * 8);
    return m;
  }
};

}  // namespace

SortedIdFilter::SortedIdFilter(std::vector<uint64_t> ids) : ids_(std::move(ids)) {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
}

bool SortedIdFilter::Contains(uint64_t id) const {
  return std::binary_search(ids_.begin(), ids_.end(), id);
}

BitsetIdFilter::BitsetIdFilter(std::vector<bool> bits)
    : bits_(std::move(bits)),
      count_(static_cast<size_t>(std::count(bits_.begin(), bits_.end(), true))) {}

class VectorIndex::Impl {
 public:
  Impl(std::string dir, VectorIndexOptions options)
      : dir_(std::move(dir)), options_(options), kernels_(Kernels()) {}

  ~Impl() {
    if (pq_fd_ >= 0) ::close(pq_fd_);
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  Status Lock() {
    lock_fd_ = ::open(Path("LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return Status::FromErrno(Path("LOCK"), errno);
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Status::Unavailable(dir_ + ": another process is writing this vector index");
      }
      return Status::FromErrno(Path("LOCK"), errno);
    }
    return Status::OK();
  }

  Result<uint64_t> NextGeneration() {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir_));
    uint64_t g = 0;
    for (const std::string& n : names) g = std::max(g, GenerationOf(n));
    return g + 1;
  }

  Status InitEmpty() {
    ASSIGN_OR_RETURN(gen_, NextGeneration());
    rows_base_ = "rows-" + std::to_string(gen_++);
    ASSIGN_OR_RETURN(rows_, RowStore::Create(Path(rows_base_), options_.dim));
    return Status::OK();
  }

  Status Load(const Manifest& m) {
    const bool writable = !options_.read_only;
    rows_base_ = m.rows_base;
    ASSIGN_OR_RETURN(rows_, RowStore::Open(Path(rows_base_), m.dim, m.rows, writable));
    {
      // The row files: in full when asked (VectorIndexOptions::verify); their sizes were
      // checked by RowStore::Open.
      const uint64_t ids_bytes = m.rows * 8, vec_bytes = m.rows * RowStore::RecordSize(m.dim);
      using V = VectorIndexOptions::Verify;
      const bool full = options_.verify == V::kFull ||
                        (options_.verify == V::kAuto &&
                         ids_bytes + vec_bytes <= options_.verify_max_bytes);
      if (full) {
        ASSIGN_OR_RETURN(uint32_t ids_crc, CrcOfFile(Path(rows_base_ + ".ids"), 0, ids_bytes, 0));
        if (ids_crc != m.ids_crc) return ChecksumMismatch(Path(rows_base_ + ".ids"));
        ASSIGN_OR_RETURN(uint32_t vec_crc, CrcOfFile(Path(rows_base_ + ".vec"), 0, vec_bytes, 0));
        if (vec_crc != m.vec_crc) return ChecksumMismatch(Path(rows_base_ + ".vec"));
      }
    }
    tomb_ = m.tombstones;
    dead_ = 0;
    for (uint64_t w : tomb_) dead_ += static_cast<size_t>(__builtin_popcountll(w));
    tag_ = m.tag;
    if (!m.pq_file.empty()) {
      if (::access(Path(m.model_file).c_str(), F_OK) != 0 && errno == ENOENT) {
        return Status::Corruption(Path(m.model_file) + ": missing");
      }
      ASSIGN_OR_RETURN(std::string model_bytes, ReadFile(Path(m.model_file)));
      if (Crc(0, model_bytes.data(), model_bytes.size()) != m.model_crc) {
        return ChecksumMismatch(Path(m.model_file));
      }
      ASSIGN_OR_RETURN(PqModel model, PqModel::Deserialize(model_bytes, Path(m.model_file)));
      if (model.dim() != m.dim) return Status::Corruption(Path(m.model_file) + ": wrong dim");
      model_ = std::make_shared<PqModel>(std::move(model));
      model_file_ = m.model_file;
      pq_file_ = m.pq_file;
      pq_fd_ = ::open(Path(pq_file_).c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
      if (pq_fd_ < 0 && errno == ENOENT) return Status::Corruption(Path(pq_file_) + ": missing");
      if (pq_fd_ < 0) return Status::FromErrno(Path(pq_file_), errno);
      const size_t rec = PqRecord();
      {
        struct stat st;
        if (::fstat(pq_fd_, &st) != 0) return Status::FromErrno(Path(pq_file_), errno);
        if (static_cast<uint64_t>(st.st_size) < m.rows * rec) {
          return Status::Corruption(Path(pq_file_) + ": shorter than its MANIFEST says");
        }
      }
      if (writable && ::ftruncate(pq_fd_, static_cast<off_t>(m.rows * rec)) != 0) {
        return Status::FromErrno(Path(pq_file_), errno);
      }
      lists_ = IvfLists(model_->nlist(), model_->code_bytes());
      std::vector<uint8_t> buf(kEncodeBatch * rec);
      // Two passes: list sizes first, so that every list is allocated once at its exact size.
      std::vector<size_t> counts(model_->nlist(), 0);
      uint32_t pq_crc = 0;  // of the whole committed file, in the first pass
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t r0 = 0; r0 < m.rows; r0 += kEncodeBatch) {
          const size_t n = std::min(kEncodeBatch, m.rows - r0);
          RETURN_IF_ERROR(PreadAll(pq_fd_, buf.data(), n * rec, r0 * rec, Path(pq_file_)));
          if (pass == 0) pq_crc = Crc(pq_crc, buf.data(), n * rec);
          for (size_t i = 0; i < n; ++i) {
            if (IsDead(r0 + i)) continue;
            uint32_t list;
            std::memcpy(&list, buf.data() + i * rec, 4);
            if (list >= model_->nlist()) return Status::Corruption(Path(pq_file_) + ": bad list");
            if (pass == 0) {
              ++counts[list];
            } else {
              lists_.Append(list, static_cast<uint32_t>(r0 + i), buf.data() + i * rec + 4);
            }
          }
        }
        if (pass == 0) {
          // The lists are built only from verified codes.
          if (pq_crc != m.pq_crc) return ChecksumMismatch(Path(pq_file_));
          lists_.Reserve(counts);
        }
      }
      pq_rows_ = m.rows;
    }
    saved_ = m;
    saved_.tombstones.clear();
    if (writable) {
      ASSIGN_OR_RETURN(gen_, NextGeneration());
      RemoveUnreferenced(m);
    }
    return Status::OK();
  }

  void RemoveUnreferenced(const Manifest& m) {
    auto names = ListDir(dir_);
    if (!names.ok()) return;
    for (const std::string& n : *names) {
      if (GenerationOf(n) == 0 && n.rfind("MANIFEST.tmp", 0) != 0) continue;
      if (n == m.rows_base + ".ids" || n == m.rows_base + ".vec" || n == m.pq_file ||
          n == m.model_file) {
        continue;
      }
      ::unlink(Path(n).c_str());
    }
  }

  size_t PqRecord() const { return 4 + model_->code_bytes(); }
  bool IsDead(size_t row) const { return (tomb_[row / 64] >> (row % 64)) & 1; }
  size_t Live() const { return rows_->rows() - dead_; }

  // ---- Writer side. REQUIRES: write_mu_ held.

  Status Apply(std::span<const uint64_t> remove_ids, std::span<const uint64_t> ids,
               std::span<const float> vectors) {
    if (options_.read_only) return Status::FailedPrecondition(dir_ + ": vector index is read-only");
    const size_t dim = options_.dim;
    if (vectors.size() != ids.size() * dim) {
      return Status::InvalidArgument("vector index: " + std::to_string(vectors.size()) +
                                     " floats for " + std::to_string(ids.size()) + " ids of dim " +
                                     std::to_string(dim));
    }
    // 1. Rows to tombstone: one pass over the stored ids, which only this writer changes.
    std::vector<size_t> doomed;
    if (!remove_ids.empty()) {
      std::vector<uint64_t> sorted(remove_ids.begin(), remove_ids.end());
      std::sort(sorted.begin(), sorted.end());
      const uint64_t lo = sorted.front(), hi = sorted.back();
      std::vector<uint64_t> stored(std::min<size_t>(rows_->rows(), 1 << 16));
      for (size_t r0 = 0, rows = rows_->rows(); r0 < rows; r0 += stored.size()) {
        const size_t n = std::min(stored.size(), rows - r0);
        RETURN_IF_ERROR(rows_->ReadRaw(r0, n, stored.data(), nullptr));
        for (size_t i = 0; i < n; ++i) {
          const uint64_t id = stored[i];
          if (id < lo || id > hi || IsDead(r0 + i)) continue;
          if (std::binary_search(sorted.begin(), sorted.end(), id)) doomed.push_back(r0 + i);
        }
      }
    }
    // 2. New rows: normalise, append to the row store (and PQ codes if trained), unpublished.
    const size_t n = ids.size();
    const size_t first_row = rows_->pending_rows();
    std::vector<uint32_t> assign;
    std::vector<uint8_t> codes;
    if (n > 0) {
      std::vector<float> unit(n * dim);
      for (size_t i = 0; i < n; ++i) Normalize(&vectors[i * dim], dim, &unit[i * dim]);
      RETURN_IF_ERROR(rows_->Append(ids.data(), unit.data(), n));
      Status st = EncodeNew(unit.data(), n, &assign, &codes);
      if (!st.ok()) {
        rows_->DropPending();
        return st;
      }
    }
    // 3. Publish both changes at once.
    {
      std::lock_guard<RwLock> g(rw_);
      RETURN_IF_ERROR(rows_->Publish());
      tomb_.resize((rows_->rows() + 63) / 64, 0);
      for (size_t r : doomed) tomb_[r / 64] |= uint64_t{1} << (r % 64);
      dead_ += doomed.size();
      if (model_) {
        const size_t rec = PqRecord();
        for (size_t i = 0; i < n; ++i) {
          lists_.Append(assign[i], static_cast<uint32_t>(first_row + i), &codes[i * rec + 4]);
        }
      }
    }
    // 4. Training policy. The vectors are in (and published) whatever training says.
    const size_t live = Live();
    Status trained;
    if (!model_ && live >= options_.flat_threshold) {
      trained = Train();
    } else if (model_ && static_cast<double>(live) >
                             options_.retrain_growth * static_cast<double>(model_->trained_on())) {
      trained = Train();
    }
    if (!trained.ok()) return trained.WithContext("vectors added, but training failed");
    return Status::OK();
  }

  // PQ codes of n new unit vectors, appended to the code file (unpublished).
  Status EncodeNew(const float* unit, size_t n, std::vector<uint32_t>* assign,
                   std::vector<uint8_t>* codes) {
    if (!model_) return Status::OK();
    const size_t dim = options_.dim;
    ScopedOmpThreads threads(options_.threads);
    {
      assign->resize(n);
      model_->Assign(unit, n, assign->data());
      const size_t rec = PqRecord();
      codes->assign(n * rec, 0);
      for (size_t i = 0; i < n; ++i) {
        std::memcpy(&(*codes)[i * rec], &(*assign)[i], 4);
        model_->Encode(unit + i * dim, (*assign)[i], &(*codes)[i * rec + 4]);
      }
      RETURN_IF_ERROR(
          PwriteAll(pq_fd_, codes->data(), codes->size(), pq_rows_ * rec, Path(pq_file_)));
      pq_rows_ += n;
    }
    return Status::OK();
  }

  // Trains a model on a sample of the live rows, re-encodes every live row into new lists and
  // a new PQ code file, and publishes them. Readers keep searching the old state meanwhile.
  Status Train() {
    ScopedOmpThreads threads(options_.threads);
    const size_t rows = rows_->rows(), dim = options_.dim;
    std::vector<uint32_t> live_rows;
    live_rows.reserve(Live());
    for (size_t r = 0; r < rows; ++r) {
      if (!IsDead(r)) live_rows.push_back(static_cast<uint32_t>(r));
    }
    const size_t live = live_rows.size();
    const size_t sample_n = std::min(live, options_.training_sample);
    size_t nlist = std::clamp<size_t>(NearestPow2(std::sqrt(static_cast<double>(live))), 16, 65536);
    while (nlist > 16 && nlist * 16 > sample_n) nlist /= 2;
    if (sample_n < 16 * 16) return Status::OK();  // too small to train; stay exact
    std::vector<uint32_t> sample;
    std::mt19937_64 rng(static_cast<uint64_t>(options_.seed));
    std::sample(live_rows.begin(), live_rows.end(), std::back_inserter(sample), sample_n, rng);
    live_rows = {};
    std::vector<float> x(sample_n * dim);
    std::sort(sample.begin(), sample.end());
    for (size_t i = 0; i < sample_n; ++i) {
      RETURN_IF_ERROR(rows_->ReadDequantized(sample[i], 1, &x[i * dim]));
    }
    ASSIGN_OR_RETURN(PqModel model, PqModel::Train(x.data(), sample_n, dim, nlist, options_.pq_dsub,
                                                   options_.seed));
    x = {};
    model.set_trained_on(live);
    auto new_model = std::make_shared<PqModel>(std::move(model));
    const std::string new_pq_file = "pq-" + std::to_string(gen_++) + ".codes";
    const std::string new_model_file = "model-" + std::to_string(gen_++) + ".bin";
    int fd = ::open(Path(new_pq_file).c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno(Path(new_pq_file), errno);
    IvfLists lists(new_model->nlist(), new_model->code_bytes());
    Status st = EncodeAll(*new_model, fd, Path(new_pq_file), &lists);
    if (!st.ok()) {
      ::close(fd);
      ::unlink(Path(new_pq_file).c_str());
      return st;
    }
    lists.ShrinkToFit();
    {
      std::lock_guard<RwLock> g(rw_);
      model_ = std::move(new_model);
      lists_ = std::move(lists);
    }
    if (pq_fd_ >= 0) ::close(pq_fd_);
    pq_fd_ = fd;
    pq_file_ = new_pq_file;
    pq_rows_ = rows_->rows();
    model_file_ = new_model_file;
    model_dirty_ = true;
    return Status::OK();
  }

  // Encodes every row of the store (dead rows get list 0xffffffff in the file and no entry).
  Status EncodeAll(const PqModel& model, int fd, const std::string& path, IvfLists* lists) {
    const size_t rows = rows_->rows(), dim = options_.dim, rec = 4 + model.code_bytes();
    std::vector<float> x(kEncodeBatch * dim);
    std::vector<uint32_t> assign(kEncodeBatch);
    std::vector<uint8_t> out(kEncodeBatch * rec);
    for (size_t r0 = 0; r0 < rows; r0 += kEncodeBatch) {
      const size_t n = std::min(kEncodeBatch, rows - r0);
      RETURN_IF_ERROR(rows_->ReadDequantized(r0, n, x.data()));
      model.Assign(x.data(), n, assign.data());
      std::fill(out.begin(), out.end(), 0);
      for (size_t i = 0; i < n; ++i) {
        uint8_t* o = &out[i * rec];
        if (IsDead(r0 + i)) {
          const uint32_t none = 0xffffffff;
          std::memcpy(o, &none, 4);
          continue;
        }
        std::memcpy(o, &assign[i], 4);
        model.Encode(&x[i * dim], assign[i], o + 4);
        lists->Append(assign[i], static_cast<uint32_t>(r0 + i), o + 4);
      }
      RETURN_IF_ERROR(PwriteAll(fd, out.data(), n * rec, r0 * rec, path));
    }
    return Status::OK();
  }

  Status Compact() {
    if (options_.read_only) return Status::FailedPrecondition(dir_ + ": vector index is read-only");
    if (dead_ == 0) return Status::OK();
    const size_t rows = rows_->rows(), record = RowStore::RecordSize(options_.dim);
    std::vector<uint32_t> map(rows, IvfLists::kDropped);
    const std::string new_base = "rows-" + std::to_string(gen_++);
    ASSIGN_OR_RETURN(std::unique_ptr<RowStore> store,
                     RowStore::Create(Path(new_base), options_.dim));
    std::vector<uint64_t> ids, batch_ids(kEncodeBatch);
    std::vector<uint8_t> recs, batch(kEncodeBatch * record);
    uint32_t next = 0;
    for (size_t r0 = 0; r0 < rows; r0 += kEncodeBatch) {
      const size_t n = std::min(kEncodeBatch, rows - r0);
      RETURN_IF_ERROR(rows_->ReadRaw(r0, n, batch_ids.data(), batch.data()));
      ids.clear();
      recs.clear();
      for (size_t i = 0; i < n; ++i) {
        if (IsDead(r0 + i)) continue;
        map[r0 + i] = next++;
        ids.push_back(batch_ids[i]);
        recs.insert(recs.end(), &batch[i * record], &batch[i * record] + record);
      }
      RETURN_IF_ERROR(store->AppendRaw(ids.data(), recs.data(), ids.size()));
    }
    // The PQ code file, filtered the same way.
    std::string new_pq_file;
    int new_fd = -1;
    if (model_) {
      const size_t rec = PqRecord();
      new_pq_file = "pq-" + std::to_string(gen_++) + ".codes";
      new_fd = ::open(Path(new_pq_file).c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (new_fd < 0) return Status::FromErrno(Path(new_pq_file), errno);
      std::vector<uint8_t> buf(kEncodeBatch * rec), out;
      size_t written = 0;
      for (size_t r0 = 0; r0 < rows; r0 += kEncodeBatch) {
        const size_t n = std::min(kEncodeBatch, rows - r0);
        Status st = PreadAll(pq_fd_, buf.data(), n * rec, r0 * rec, Path(pq_file_));
        out.clear();
        for (size_t i = 0; st.ok() && i < n; ++i) {
          if (map[r0 + i] != IvfLists::kDropped) {
            out.insert(out.end(), &buf[i * rec], &buf[i * rec] + rec);
          }
        }
        if (st.ok())
          st = PwriteAll(new_fd, out.data(), out.size(), written * rec, Path(new_pq_file));
        if (!st.ok()) {
          ::close(new_fd);
          return st;
        }
        written += out.size() / rec;
      }
    }
    IvfLists lists;
    if (model_) {
      lists = lists_;
      lists.Remap(map);
      lists.ShrinkToFit();
    }
    RETURN_IF_ERROR(store->Publish());
    {
      std::lock_guard<RwLock> g(rw_);
      rows_ = std::move(store);
      rows_base_ = new_base;
      tomb_.assign((rows_->rows() + 63) / 64, 0);
      dead_ = 0;
      if (model_) lists_ = std::move(lists);
    }
    if (model_) {
      ::close(pq_fd_);
      pq_fd_ = new_fd;
      pq_file_ = new_pq_file;
      pq_rows_ = rows_->rows();
    }
    return Status::OK();
  }

  Status Save(std::string_view tag) {
    if (options_.read_only) return Status::FailedPrecondition(dir_ + ": vector index is read-only");
    if (rows_->rows() > 0 && static_cast<double>(dead_) > options_.compact_dead_fraction *
                                                              static_cast<double>(rows_->rows())) {
      RETURN_IF_ERROR(Compact());
    }
    RETURN_IF_ERROR(rows_->Sync());
    Manifest m;
    m.dim = options_.dim;
    m.rows = rows_->rows();
    m.rows_base = rows_base_;
    // Checksums: the files are append-only between two states that name them, so a file
    // the last MANIFEST named needs only its new bytes read (from the page cache).
    const bool same_rows = saved_.rows_base == rows_base_ && saved_.rows <= m.rows;
    const uint64_t record = RowStore::RecordSize(options_.dim);
    ASSIGN_OR_RETURN(m.ids_crc, CrcOfFile(Path(rows_base_ + ".ids"),
                                          same_rows ? saved_.rows * 8 : 0, m.rows * 8,
                                          same_rows ? saved_.ids_crc : 0));
    ASSIGN_OR_RETURN(m.vec_crc, CrcOfFile(Path(rows_base_ + ".vec"),
                                          same_rows ? saved_.rows * record : 0, m.rows * record,
                                          same_rows ? saved_.vec_crc : 0));
    if (model_) {
      if (::fdatasync(pq_fd_) != 0) return Status::FromErrno(Path(pq_file_), errno);
      if (model_dirty_ || model_file_ != saved_.model_file) {
        const std::string bytes = model_->Serialize();
        RETURN_IF_ERROR(WriteFileAtomic(Path(model_file_), bytes));
        m.model_crc = Crc(0, bytes.data(), bytes.size());
        model_dirty_ = false;
      } else {
        m.model_crc = saved_.model_crc;
      }
      m.pq_file = pq_file_;
      m.model_file = model_file_;
      const uint64_t rec = PqRecord();
      const bool same_pq = saved_.pq_file == pq_file_ && saved_.rows <= m.rows;
      ASSIGN_OR_RETURN(m.pq_crc, CrcOfFile(Path(pq_file_), same_pq ? saved_.rows * rec : 0,
                                           m.rows * rec, same_pq ? saved_.pq_crc : 0));
    }
    m.tag = std::string(tag);
    m.tombstones = tomb_;
    RETURN_IF_ERROR(WriteFileAtomic(Path("MANIFEST"), m.Serialize()));
    RETURN_IF_ERROR(SyncDir(dir_));
    {
      std::lock_guard<std::mutex> g(tag_mu_);
      tag_ = m.tag;
    }
    RemoveUnreferenced(m);
    saved_ = std::move(m);
    saved_.tombstones.clear();
    return Status::OK();
  }

  // ---- Reader side. REQUIRES: rw_ held shared.

  std::vector<SearchHit> Exact(const float* q, const SearchParams& p) const {
    auto better = [](const SearchHit& a, const SearchHit& b) {
      return a.score > b.score || (a.score == b.score && a.id < b.id);
    };
    std::vector<SearchHit> heap;  // root = worst kept hit
    heap.reserve(p.k + 1);
    const uint64_t* ids = rows_->ids();
    for (size_t r = 0, n = rows_->rows(); r < n; ++r) {
      if (IsDead(r)) continue;
      if (p.filter != nullptr && !p.filter->Contains(ids[r])) continue;
      const SearchHit h{ids[r], rows_->Dot(kernels_, q, r)};
      if (!(h.score >= p.min_score)) continue;
      if (heap.size() < p.k) {
        heap.push_back(h);
        std::push_heap(heap.begin(), heap.end(), better);
      } else if (better(h, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), better);
        heap.back() = h;
        std::push_heap(heap.begin(), heap.end(), better);
      }
    }
    std::sort(heap.begin(), heap.end(), better);
    return heap;
  }

  std::vector<SearchHit> Approximate(const float* q, const SearchParams& p, size_t nprobe,
                                     size_t rerank, bool* too_few) const {
    const IdFilter* filter = p.filter;
    const uint64_t* ids = rows_->ids();
    std::vector<Candidate> cands =
        ScanIvf(kernels_, *model_, lists_, q, nprobe, rerank, [&](uint32_t row) {
          return !IsDead(row) && (filter == nullptr || filter->Contains(ids[row]));
        });
    *too_few = cands.size() < rerank;
    std::vector<SearchHit> hits;
    hits.reserve(cands.size());
    for (const Candidate& c : cands) {
      const float s = rows_->Dot(kernels_, q, c.row);
      if (s >= p.min_score) hits.push_back({ids[c.row], s});
    }
    auto better = [](const SearchHit& a, const SearchHit& b) {
      return a.score > b.score || (a.score == b.score && a.id < b.id);
    };
    const size_t k = std::min(p.k, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(k), hits.end(), better);
    hits.resize(k);
    return hits;
  }

  Result<std::vector<SearchHit>> Search(std::span<const float> query, const SearchParams& p) const {
    const size_t dim = options_.dim;
    if (query.size() != dim) {
      return Status::InvalidArgument("vector search: query has " + std::to_string(query.size()) +
                                     " floats, the index " + std::to_string(dim));
    }
    if (p.k == 0) return std::vector<SearchHit>{};
    float qbuf[1024];
    std::vector<float> qheap;
    float* q = qbuf;
    if (dim > 1024) {
      qheap.resize(dim);
      q = qheap.data();
    }
    Normalize(query.data(), dim, q);

    SharedGuard g(rw_);
    const size_t live = Live();
    if (p.exact || !model_ || live < options_.flat_threshold) return Exact(q, p);
    const size_t nlist = model_->nlist();
    const size_t nprobe = p.nprobe > 0 ? p.nprobe : std::max<size_t>(8, nlist / 32);
    const size_t rerank = std::max(p.rerank > 0 ? p.rerank : std::max<size_t>(200, 4 * p.k), p.k);
    if (p.filter != nullptr) {
      // Allowed entries the probed lists are expected to hold; too few -> exact over them.
      if (auto count = p.filter->EstimatedCount()) {
        const double expected =
            static_cast<double>(*count) * static_cast<double>(nprobe) / static_cast<double>(nlist);
        if (expected < static_cast<double>(rerank)) return Exact(q, p);
      }
    }
    // When the probed lists hold fewer than `rerank` acceptable entries (a selective filter,
    // or many tombstones), the true top-k may sit in lists not probed: probe 8x more lists,
    // then scan exactly.
    bool too_few = false;
    std::vector<SearchHit> hits = Approximate(q, p, nprobe, rerank, &too_few);
    if (too_few && nprobe < nlist) hits = Approximate(q, p, nprobe * 8, rerank, &too_few);
    if (too_few) return Exact(q, p);
    return hits;
  }

  VectorIndexStats Stats() const {
    SharedGuard g(rw_);
    VectorIndexStats s;
    s.count = Live();
    s.dead = dead_;
    s.ram_bytes = tomb_.capacity() * 8 + (model_ ? model_->RamBytes() + lists_.RamBytes() : 0);
    s.mapped_bytes = rows_->DiskBytes();
    s.disk_bytes = rows_->DiskBytes();
    if (model_) {
      s.disk_bytes += rows_->rows() * PqRecord() + model_->RamBytes();
      s.ivf = live_uses_ivf();
      s.nlist = model_->nlist();
      s.trained_on = model_->trained_on();
    }
    return s;
  }
  bool live_uses_ivf() const { return model_ && Live() >= options_.flat_threshold; }

  std::string dir_;
  VectorIndexOptions options_;
  const DistanceKernels& kernels_;
  int lock_fd_ = -1;
  std::mutex write_mu_;        // serialises writers
  mutable RwLock rw_;          // readers shared; writers take it exclusively to publish
  mutable std::mutex tag_mu_;  // guards tag_

  // Read by searches (rw_ shared), changed by the writer under rw_ exclusive.
  std::unique_ptr<RowStore> rows_;
  std::vector<uint64_t> tomb_;  // one bit per row
  size_t dead_ = 0;
  std::shared_ptr<const PqModel> model_;
  IvfLists lists_;
  std::string tag_;

  // Writer-only (write_mu_).
  Manifest saved_;  // the state last loaded or saved (tombstones dropped): checksums to extend
  std::string rows_base_;
  std::string pq_file_, model_file_;
  int pq_fd_ = -1;
  size_t pq_rows_ = 0;
  bool model_dirty_ = false;
  uint64_t gen_ = 1;
};

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl, size_t dim)
    : impl_(std::move(impl)), dim_(dim) {}
VectorIndex::~VectorIndex() = default;

namespace {
Status MakeDirs(const std::string& dir) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno(cur, errno);
  }
  return Status::OK();
}
}  // namespace

Result<std::unique_ptr<VectorIndex>> VectorIndex::Create(const std::string& dir,
                                                         const VectorIndexOptions& options) {
  if (options.dim == 0 || options.dim > 65536) {
    return Status::InvalidArgument("vector index: dimension must be in 1..65536");
  }
  if (options.read_only)
    return Status::InvalidArgument("vector index: Create() is never read-only");
  if (options.pq_dsub == 0 || options.pq_dsub > 64) {
    return Status::InvalidArgument("vector index: pq_dsub must be in 1..64");
  }
  RETURN_IF_ERROR(MakeDirs(dir));
  auto impl = std::make_unique<Impl>(dir, options);
  RETURN_IF_ERROR(impl->Lock());
  RETURN_IF_ERROR(impl->InitEmpty());
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl), options.dim));
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Open(const std::string& dir,
                                                       const VectorIndexOptions& options) {
  // A read-only open can race with a writer's compaction deleting the files of the manifest
  // it just read: read the manifest again and retry.
  for (int attempt = 0;; ++attempt) {
    struct stat st;
    if (::stat((dir + "/MANIFEST").c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      return Status::NotFound(dir + ": no vector index here");
    }
    auto impl = std::make_unique<Impl>(dir, options);
    if (!options.read_only) RETURN_IF_ERROR(impl->Lock());
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir + "/MANIFEST"));
    ASSIGN_OR_RETURN(Manifest m, Manifest::Parse(bytes, dir + "/MANIFEST"));
    if (options.dim != 0 && options.dim != m.dim) {
      return Status::FailedPrecondition(dir + ": index has dimension " + std::to_string(m.dim) +
                                        ", expected " + std::to_string(options.dim));
    }
    impl->options_.dim = m.dim;
    Status loaded = impl->Load(m);
    if (loaded.ok()) return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl), m.dim));
    if (!options.read_only || attempt >= 3) return loaded;
  }
}

Status VectorIndex::Add(std::span<const uint64_t> ids, std::span<const float> vectors) {
  std::lock_guard<std::mutex> g(impl_->write_mu_);
  return impl_->Apply({}, ids, vectors);
}

Status VectorIndex::Remove(std::span<const uint64_t> ids) {
  std::lock_guard<std::mutex> g(impl_->write_mu_);
  return impl_->Apply(ids, {}, {});
}

Status VectorIndex::Replace(std::span<const uint64_t> remove_ids, std::span<const uint64_t> ids,
                            std::span<const float> vectors) {
  std::lock_guard<std::mutex> g(impl_->write_mu_);
  return impl_->Apply(remove_ids, ids, vectors);
}

Result<std::vector<SearchHit>> VectorIndex::Search(std::span<const float> query,
                                                   const SearchParams& params) const {
  return impl_->Search(query, params);
}

Status VectorIndex::Save(std::string_view commit_tag) {
  std::lock_guard<std::mutex> g(impl_->write_mu_);
  return impl_->Save(commit_tag);
}

Status VectorIndex::Compact() {
  std::lock_guard<std::mutex> g(impl_->write_mu_);
  return impl_->Compact();
}

std::string VectorIndex::commit_tag() const {
  std::lock_guard<std::mutex> g(impl_->tag_mu_);
  return impl_->tag_;
}

VectorIndexStats VectorIndex::Stats() const { return impl_->Stats(); }

}  // namespace codeindex::vec
