#include "cache/cache.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cache/stats.h"

namespace codeindex {

// ---------------------------------------------------------------------------------------------
// Keys

CacheKey HashKey(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return CacheKey{h.low64, h.high64};
}

KeyBuilder::KeyBuilder() : state_(XXH3_createState()) {
  XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}

KeyBuilder::~KeyBuilder() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

KeyBuilder& KeyBuilder::Add(std::string_view bytes) {
  auto* st = static_cast<XXH3_state_t*>(state_);
  const uint64_t n = bytes.size();
  XXH3_128bits_update(st, &n, sizeof n);
  XXH3_128bits_update(st, bytes.data(), bytes.size());
  return *this;
}

KeyBuilder& KeyBuilder::Add(uint64_t value) {
  return Add(std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
}

KeyBuilder& KeyBuilder::Add(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return Add(bits);
}

KeyBuilder& KeyBuilder::Add(const CacheKey& key) {
  const uint64_t words[2] = {key.lo, key.hi};
  return Add(std::string_view(reinterpret_cast<const char*>(words), sizeof words));
}

CacheKey KeyBuilder::Finish() const {
  const XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  return CacheKey{h.low64, h.high64};
}

std::string_view EvictionPolicyName(EvictionPolicy p) {
  return p == EvictionPolicy::kLru ? "lru" : "tinylfu";
}

Result<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  if (name == "lru") return EvictionPolicy::kLru;
  if (name == "tinylfu" || name == "w-tinylfu") return EvictionPolicy::kTinyLfu;
  return Status::InvalidArgument("unknown cache policy '" + std::string(name) +
                                 "' (expected lru or tinylfu)");
}

// ---------------------------------------------------------------------------------------------
// Statistics of one space

struct Cache::SpaceCounters {
  std::string name;
  Counter hits, misses, inserts, evictions, expirations;
  Gauge entries, bytes;
};

// ---------------------------------------------------------------------------------------------
// A shard: a hash map of nodes threaded on intrusive lists.
//
// Invariants (under mu):
//   1. Every node in `map` is on exactly one policy list (window, probation or protected;
//      kLru uses probation only) and on the expiry list; `queue` names its policy list.
//   2. The bytes of each policy list are the sum of its nodes' charges; `used` is their sum
//      and is <= capacity after every public operation.
//   3. The expiry list is in insertion order, which is expiry order since the TTL is fixed.

namespace {

enum Queue : uint8_t { kWindow = 0, kProbation = 1, kProtected = 2 };

struct Node {
  CacheKey key;
  int space = 0;
  Queue queue = kWindow;
  bool candidate = false;  // moved out of the window in the current maintenance pass
  std::shared_ptr<const void> value;
  const std::type_info* type = nullptr;
  size_t charge = 0;
  int64_t expires = 0;  // steady-clock ns; INT64_MAX when there is no TTL
  Node* prev = nullptr;  // policy list, towards the most recently used end
  Node* next = nullptr;  // policy list, towards the least recently used end
  Node* eprev = nullptr;  // expiry list
  Node* enext = nullptr;
};

// A circular list with a sentinel: sentinel.next is the most recently used node, sentinel.prev
// the least.
struct List {
  Node sentinel;
  size_t bytes = 0;
  List() { sentinel.prev = sentinel.next = &sentinel; }
  bool empty() const { return sentinel.next == &sentinel; }
  Node* lru() { return empty() ? nullptr : sentinel.prev; }
  void PushFront(Node* n) {
    n->next = sentinel.next;
    n->prev = &sentinel;
    sentinel.next->prev = n;
    sentinel.next = n;
    bytes += n->charge;
  }
  void Remove(Node* n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
    bytes -= n->charge;
  }
};

struct ExpiryList {
  Node sentinel;
  ExpiryList() { sentinel.eprev = sentinel.enext = &sentinel; }
  Node* oldest() { return sentinel.enext == &sentinel ? nullptr : sentinel.enext; }
  void PushBack(Node* n) {
    n->eprev = sentinel.eprev;
    n->enext = &sentinel;
    sentinel.eprev->enext = n;
    sentinel.eprev = n;
  }
  void Remove(Node* n) {
    n->eprev->enext = n->enext;
    n->enext->eprev = n->eprev;
    n->eprev = n->enext = nullptr;
  }
};

// Count-min sketch of 4-bit counters, 16 per 64-bit word, 4 rows hashed from the key; halved
// every `sample` increments so that old popularity fades (TinyLFU's reset).
class FrequencySketch {
 public:
  void Init(size_t expected_entries) {
    size_t words = std::bit_ceil(std::max<size_t>(expected_entries, 64));
    table_.assign(words, 0);
    mask_ = words - 1;
    sample_ = 10 * words;
    additions_ = 0;
  }
  void Increment(uint64_t h) {
    bool added = false;
    for (int i = 0; i < 4; ++i) added |= IncrementAt(Index(h, i), Offset(h, i));
    if (added && ++additions_ >= sample_) Reset();
  }
  int Estimate(uint64_t h) const {
    int m = 15;
    for (int i = 0; i < 4; ++i) {
      m = std::min(m, static_cast<int>((table_[Index(h, i)] >> (Offset(h, i) * 4)) & 0xf));
    }
    return m;
  }

 private:
  static constexpr uint64_t kSeeds[4] = {0x97cb3127ULL * 0x9E3779B97F4A7C15ULL,
                                         0xb492b66fULL * 0xC2B2AE3D27D4EB4FULL,
                                         0x9ae16a3bULL * 0x165667B19E3779F9ULL,
                                         0x2f90404fULL * 0xD6E8FEB86659FD93ULL};
  size_t Index(uint64_t h, int i) const {
    uint64_t x = (h + kSeeds[i]) * kSeeds[(i + 1) & 3];
    return static_cast<size_t>(x >> 32) & mask_;
  }
  static int Offset(uint64_t h, int i) { return static_cast<int>((h >> (i * 4 + 8)) & 0xf); }
  bool IncrementAt(size_t index, int offset) {
    const uint64_t shift = static_cast<uint64_t>(offset) * 4;
    if (((table_[index] >> shift) & 0xf) == 0xf) return false;
    table_[index] += uint64_t{1} << shift;
    return true;
  }
  void Reset() {
    for (uint64_t& w : table_) w = (w >> 1) & 0x7777777777777777ULL;
    additions_ /= 2;
  }
  std::vector<uint64_t> table_;
  size_t mask_ = 0;
  size_t sample_ = 0;
  size_t additions_ = 0;
};

struct InternalKey {
  CacheKey key;
  int space;
  friend bool operator==(const InternalKey& a, const InternalKey& b) = default;
};

struct InternalKeyHash {
  size_t operator()(const InternalKey& k) const {
    return static_cast<size_t>(k.key.lo ^ (static_cast<uint64_t>(k.space) * 0x9E3779B97F4A7C15ULL));
  }
};

uint64_t SketchHash(const CacheKey& key, int space) {
  return key.lo ^ (static_cast<uint64_t>(space + 1) * 0xC2B2AE3D27D4EB4FULL);
}

}  // namespace

struct Cache::Shard {
  std::mutex mu;
  std::unordered_map<InternalKey, Node, InternalKeyHash> map;
  List window, probation, protected_;
  ExpiryList expiry;
  FrequencySketch sketch;
  size_t capacity = 0, window_capacity = 0, protected_capacity = 0;
  size_t used = 0;
  EvictionPolicy policy = EvictionPolicy::kTinyLfu;
  SpaceCounters* spaces = nullptr;

  List& ListOf(Queue q) { return q == kWindow ? window : q == kProbation ? probation : protected_; }

  // Unlinks and erases `n`, handing its value to `garbage` so that the value's destructor runs
  // after the mutex is released.
  void Drop(Node* n, std::vector<std::shared_ptr<const void>>* garbage) {
    ListOf(n->queue).Remove(n);
    expiry.Remove(n);
    used -= n->charge;
    SpaceCounters& sc = spaces[n->space];
    sc.entries.Add(-1);
    sc.bytes.Add(-static_cast<int64_t>(n->charge));
    garbage->push_back(std::move(n->value));
    map.erase(InternalKey{n->key, n->space});
  }

  void DropExpired(int64_t now, std::vector<std::shared_ptr<const void>>* garbage) {
    while (Node* n = expiry.oldest()) {
      if (n->expires > now) break;
      spaces[n->space].expirations.Add();
      Drop(n, garbage);
    }
  }

  void Touch(Node* n) {
    if (policy == EvictionPolicy::kLru) {
      probation.Remove(n);
      probation.PushFront(n);
      return;
    }
    ListOf(n->queue).Remove(n);
    if (n->queue == kProbation) n->queue = kProtected;
    ListOf(n->queue).PushFront(n);
    if (n->queue == kProtected) {
      // Protected overflow goes back to probation's most recently used end.
      while (protected_.bytes > protected_capacity && protected_.lru() != n) {
        Node* d = protected_.lru();
        protected_.Remove(d);
        d->queue = kProbation;
        probation.PushFront(d);
      }
    }
  }

  void Evict(Node* n, std::vector<std::shared_ptr<const void>>* garbage) {
    spaces[n->space].evictions.Add();
    Drop(n, garbage);
  }

  // Restores used <= capacity after an insertion.
  void Maintain(std::vector<std::shared_ptr<const void>>* garbage) {
    if (policy == EvictionPolicy::kLru) {
      while (used > capacity) Evict(probation.lru(), garbage);
      return;
    }
    // W-TinyLFU: the window's overflow becomes candidates at probation's MRU end.
    std::vector<Node*> candidates;
    while (window.bytes > window_capacity && !window.empty()) {
      Node* n = window.lru();
      window.Remove(n);
      n->queue = kProbation;
      n->candidate = true;
      probation.PushFront(n);
      candidates.push_back(n);
    }
    size_t next_candidate = 0;
    while (used > capacity) {
      while (next_candidate < candidates.size() && candidates[next_candidate] == nullptr) {
        ++next_candidate;
      }
      Node* candidate = next_candidate < candidates.size() ? candidates[next_candidate] : nullptr;
      Node* victim = probation.lru();
      if (victim != nullptr && victim->candidate) victim = nullptr;
      if (victim == nullptr) victim = protected_.lru();
      if (victim == nullptr && candidate == nullptr) victim = window.lru();
      Node* loser;
      if (candidate == nullptr) {
        loser = victim;
      } else if (victim == nullptr) {
        loser = candidate;
      } else {
        const int cf = sketch.Estimate(SketchHash(candidate->key, candidate->space));
        const int vf = sketch.Estimate(SketchHash(victim->key, victim->space));
        loser = cf > vf ? victim : candidate;
      }
      if (loser == candidate) candidates[next_candidate] = nullptr;
      Evict(loser, garbage);
    }
    for (Node* n : candidates) {
      if (n != nullptr) n->candidate = false;
    }
  }
};

Cache::Cache(const CacheOptions& options)
    : options_(options),
      num_shards_(1 << std::clamp(options.shard_bits, 0, 10)),
      spaces_(new SpaceCounters[kMaxSpaces]) {
  shards_.reset(new Shard[num_shards_]);
  const size_t per_shard = options_.capacity_bytes / static_cast<size_t>(num_shards_);
  for (int i = 0; i < num_shards_; ++i) {
    Shard& s = shards_[i];
    s.capacity = per_shard;
    s.window_capacity = std::max<size_t>(1, per_shard / 100);
    s.protected_capacity = (per_shard - s.window_capacity) / 10 * 8;
    s.policy = options_.policy;
    s.spaces = spaces_.get();
    // Frequencies for about one entry per 2 KiB of capacity (at least 64 words of 16).
    if (s.policy == EvictionPolicy::kTinyLfu) s.sketch.Init(per_shard / 2048);
  }
}

Cache::~Cache() = default;

int64_t Cache::Now() const {
  if (options_.clock != nullptr) return options_.clock->NowNanos();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Cache::Shard& Cache::ShardFor(const CacheKey& key) const {
  const int bits = std::countr_zero(static_cast<unsigned>(num_shards_));
  return shards_[bits == 0 ? 0 : static_cast<size_t>(key.hi >> (64 - bits))];
}

int Cache::Space(std::string_view name) {
  std::lock_guard lock(spaces_mu_);
  const int n = num_spaces_.load(std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    if (spaces_[i].name == name) return i;
  }
  if (n >= kMaxSpaces) return -1;
  spaces_[n].name = std::string(name);
  num_spaces_.store(n + 1, std::memory_order_release);
  return n;
}

std::shared_ptr<const void> Cache::GetErased(int space, const CacheKey& key,
                                             const std::type_info* type) {
  if (space < 0 || space >= num_spaces_.load(std::memory_order_acquire)) return nullptr;
  SpaceCounters& sc = spaces_[space];
  if (!enabled()) {
    sc.misses.Add();
    return nullptr;
  }
  const int64_t now = Now();
  Shard& s = ShardFor(key);
  std::vector<std::shared_ptr<const void>> garbage;
  std::shared_ptr<const void> result;
  {
    std::lock_guard lock(s.mu);
    if (s.policy == EvictionPolicy::kTinyLfu) s.sketch.Increment(SketchHash(key, space));
    s.DropExpired(now, &garbage);
    auto it = s.map.find(InternalKey{key, space});
    if (it != s.map.end() && *it->second.type == *type) {
      s.Touch(&it->second);
      result = it->second.value;
    }
  }
  (result ? sc.hits : sc.misses).Add();
  return result;
}

void Cache::PutErased(int space, const CacheKey& key, std::shared_ptr<const void> value,
                      const std::type_info* type, size_t charge) {
  if (space < 0 || space >= num_spaces_.load(std::memory_order_acquire) || !enabled()) return;
  SpaceCounters& sc = spaces_[space];
  const int64_t now = Now();
  const int64_t ttl = options_.ttl.count();
  Shard& s = ShardFor(key);
  std::vector<std::shared_ptr<const void>> garbage;
  garbage.push_back(std::move(value));  // released after the lock if not stored
  {
    std::lock_guard lock(s.mu);
    s.DropExpired(now, &garbage);
    const InternalKey ik{key, space};
    if (auto it = s.map.find(ik); it != s.map.end()) s.Drop(&it->second, &garbage);
    if (charge > s.capacity) {
      sc.evictions.Add();  // refused: larger than a shard
      return;
    }
    Node& n = s.map[ik];
    n.key = key;
    n.space = space;
    n.value = std::move(garbage.front());
    n.type = type;
    n.charge = charge;
    n.expires = ttl > 0 ? now + ttl : INT64_MAX;
    n.queue = s.policy == EvictionPolicy::kLru ? kProbation : kWindow;
    s.ListOf(n.queue).PushFront(&n);
    s.expiry.PushBack(&n);
    s.used += charge;
    sc.inserts.Add();
    sc.entries.Add(1);
    sc.bytes.Add(static_cast<int64_t>(charge));
    s.Maintain(&garbage);
  }
}

void Cache::Erase(int space, const CacheKey& key) {
  if (space < 0 || space >= num_spaces_.load(std::memory_order_acquire)) return;
  Shard& s = ShardFor(key);
  std::vector<std::shared_ptr<const void>> garbage;
  std::lock_guard lock(s.mu);
  if (auto it = s.map.find(InternalKey{key, space}); it != s.map.end()) {
    s.Drop(&it->second, &garbage);
  }
}

void Cache::Clear(int space) {
  for (int i = 0; i < num_shards_; ++i) {
    Shard& s = shards_[i];
    std::vector<std::shared_ptr<const void>> garbage;
    std::lock_guard lock(s.mu);
    for (auto it = s.map.begin(); it != s.map.end();) {
      auto next = std::next(it);
      if (space < 0 || it->second.space == space) s.Drop(&it->second, &garbage);
      it = next;
    }
  }
}

void Cache::PurgeExpired() {
  const int64_t now = Now();
  for (int i = 0; i < num_shards_; ++i) {
    std::vector<std::shared_ptr<const void>> garbage;
    std::lock_guard lock(shards_[i].mu);
    shards_[i].DropExpired(now, &garbage);
  }
}

size_t Cache::bytes() const {
  size_t total = 0;
  for (int i = 0; i < num_shards_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].used;
  }
  return total;
}

size_t Cache::entries() const {
  size_t total = 0;
  for (int i = 0; i < num_shards_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].map.size();
  }
  return total;
}

CacheSpaceStats Cache::Stats(int space) const {
  CacheSpaceStats st;
  if (space < 0 || space >= num_spaces_.load(std::memory_order_acquire)) return st;
  const SpaceCounters& sc = spaces_[space];
  st.name = sc.name;
  st.hits = sc.hits.Value();
  st.misses = sc.misses.Value();
  st.inserts = sc.inserts.Value();
  st.evictions = sc.evictions.Value();
  st.expirations = sc.expirations.Value();
  st.entries = sc.entries.Value();
  st.bytes = sc.bytes.Value();
  return st;
}

std::vector<CacheSpaceStats> Cache::Stats() const {
  std::vector<CacheSpaceStats> out;
  const int n = num_spaces_.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) out.push_back(Stats(i));
  return out;
}

}  // namespace codeindex
