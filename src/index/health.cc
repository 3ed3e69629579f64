#include "index/health.h"

#include <sys/stat.h>

#include <charconv>

#include "index/config.h"
#include "index/index_dir.h"
#include "index/vector_derived.h"
#include "text/text_index.h"
#include "vector/vector_index.h"

namespace codeindex {

std::string CatalogStamp::ToString() const {
  return catalog_id + "/" + std::to_string(generation);
}

std::optional<CatalogStamp> CatalogStamp::Parse(std::string_view s) {
  const size_t slash = s.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  CatalogStamp stamp;
  stamp.catalog_id = std::string(s.substr(0, slash));
  const std::string_view g = s.substr(slash + 1);
  auto [end, ec] = std::from_chars(g.data(), g.data() + g.size(), stamp.generation);
  if (ec != std::errc() || end != g.data() + g.size() || g.empty()) return std::nullopt;
  return stamp;
}

namespace {

std::string Blocks(int64_t n) { return std::to_string(n) + (n == 1 ? " block" : " blocks"); }

}  // namespace

std::string CompareWithCatalog(const DerivedState& derived, CountRule rule,
                               const CatalogState& catalog, bool strict) {
  if (!strict && catalog.dirty > 0) return "";  // a writer is between two steps
  if (derived.count == 0 && catalog.live_blocks == 0) return "";
  if (derived.count == 0) return "is empty but the catalog has " + Blocks(catalog.live_blocks);
  if (!derived.stamp) return "records no catalog state (made by an older version of codeindex)";
  if (derived.stamp->catalog_id != catalog.id) return "was built from another catalog";
  const int64_t g = derived.stamp->generation;
  if (g < catalog.generation) {
    return "is behind the catalog (it has generation " + std::to_string(g) +
           ", the catalog " + std::to_string(catalog.generation) + ")";
  }
  if (g > catalog.generation) {
    if (!strict) return "";  // committed after this reader read the catalog
    return "is ahead of the catalog (it has generation " + std::to_string(g) + ", the catalog " +
           std::to_string(catalog.generation) + ")";
  }
  const auto live = static_cast<uint64_t>(catalog.live_blocks);
  if (rule == CountRule::kEqual && derived.count != live) {
    return "holds " + Blocks(static_cast<int64_t>(derived.count)) + ", the catalog " +
           Blocks(catalog.live_blocks);
  }
  if (rule == CountRule::kAtMost && derived.count > live) {
    return "holds " + std::to_string(derived.count) + " vectors for " +
           Blocks(catalog.live_blocks);
  }
  return "";
}

Status DamagedError(std::string_view part, std::string_view dir, std::string_view detail) {
  return Status::Corruption("the " + std::string(part) + " in " + std::string(dir) +
                            " is damaged (" + std::string(detail) +
                            "); run `codeindex index` to repair");
}

namespace {

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<IndexCheckReport> CheckIndex(const std::string& index_dir, CheckDepth depth) {
  IndexCheckReport report;
  const bool full = depth == CheckDepth::kFull;
  report.writer_active = WriterLock::IsHeld(index_dir);
  // Every problem is a phrase that completes "the <part> ...".
  auto problem = [&](std::string part, std::string what) {
    report.problems.push_back({std::move(part), std::move(what)});
  };
  auto damaged = [&](std::string part, const std::string& detail) {
    problem(std::move(part), "is damaged (" + detail + ")");
  };

  // The catalog.
  const std::string catalog_path = index_dir + "/catalog.db";
  if (!Exists(catalog_path)) return report;  // no index
  report.exists = true;
  std::optional<CatalogState> state;
  {
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(index_dir, Catalog::Mode::kReadOnly);
    if (!catalog.ok()) {
      damaged("catalog", catalog.error().message());
    } else {
      Catalog& c = **catalog;
      if (full || FileSize(catalog_path) <= kFullCheckAtOpenBytes) {
        ASSIGN_OR_RETURN(std::vector<std::string> found,
                         c.Check(full ? Catalog::CheckDepth::kFull : Catalog::CheckDepth::kQuick));
        for (std::string& f : found) damaged("catalog", "SQLite: " + f);
      }
      Result<CatalogState> st = c.State();
      Result<CatalogCounts> counts = c.Counts();
      Result<std::optional<std::string>> embedder = c.GetMeta("embedder");
      if (!st.ok() || !counts.ok() || !embedder.ok()) {
        damaged("catalog", (!st.ok()       ? st.error()
                            : !counts.ok() ? counts.error()
                                           : embedder.error())
                               .message());
      } else {
        state = *st;
        report.catalog = *st;
        report.files = counts->files;
        if (*embedder) {
          Result<WorkspaceConfig> config = EmbedderConfigFromJson(**embedder);
          report.vectors_expected = config.ok() && config->embeddings;
        }
      }
    }
  }
  // With a writer at work, a derived index may be rebuilding: compare only at rest.
  const bool compare = state.has_value() && !report.writer_active;
  const bool catalog_has_blocks = state && state->live_blocks > 0;

  // The text index.
  const std::string text_dir = index_dir + "/text";
  {
    Result<std::unique_ptr<TextIndexReader>> text = TextIndexReader::Open(text_dir);
    if (!text.ok()) {
      if (text.error().code() != Code::kNotFound) {
        damaged("text index", text.error().message());
      } else if (compare && (catalog_has_blocks || Exists(text_dir))) {
        problem("text index", "is missing (no " + text_dir + "/iamglass)");
      }
    } else {
      if (full || TreeSizeBytes(text_dir) <= kFullCheckAtOpenBytes) {
        Status verified = (*text)->Verify();
        if (!verified.ok() && verified.code() != Code::kUnavailable) {
          damaged("text index", verified.message());
        }
      }
      Result<TextIndexReader::Info> info = (*text)->GetInfo();
      if (!info.ok()) {
        damaged("text index", info.error().message());
      } else {
        report.text_blocks = info->doc_count;
        if (compare) {
          DerivedState d{CatalogStamp::Parse(info->commit_tag), info->doc_count};
          std::string why = CompareWithCatalog(d, CountRule::kEqual, *state, /*strict=*/false);
          if (!why.empty()) problem("text index", why);
        }
      }
    }
  }

  // The vector index.
  const std::string vector_dir = index_dir + "/vectors";
  if (report.vectors_expected || Exists(vector_dir + "/MANIFEST")) {
    vec::VectorIndexOptions options;
    options.read_only = true;
    options.verify = full ? vec::VectorIndexOptions::Verify::kFull
                          : vec::VectorIndexOptions::Verify::kAuto;
    Result<std::unique_ptr<vec::VectorIndex>> vectors = vec::VectorIndex::Open(vector_dir, options);
    if (!vectors.ok()) {
      if (vectors.error().code() != Code::kNotFound) {
        damaged("vector index", vectors.error().message());
      } else if (compare && catalog_has_blocks && report.vectors_expected) {
        problem("vector index", "is missing (no " + vector_dir + "/MANIFEST)");
      }
    } else {
      report.vectors = (*vectors)->Stats().count;
      if (compare && report.vectors_expected) {
        std::string fingerprint;
        DerivedState d;
        SplitVectorCommitTag((*vectors)->commit_tag(), &fingerprint, &d.stamp);
        d.count = *report.vectors;
        std::string why = CompareWithCatalog(d, CountRule::kAtMost, *state, /*strict=*/false);
        if (!why.empty()) problem("vector index", why);
      }
    }
  }
  return report;
}

}  // namespace codeindex
