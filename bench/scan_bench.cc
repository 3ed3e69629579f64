// Scanner benchmarks.
//
//   build/release/bench/scan_bench                      # synthetic tree (smoke run)
//   SCAN_BENCH_DIR=/tmp/codeindex-scan-bench build/release/bench/scan_bench
//
// BM_IgnoreMatch: one path against a realistic 120-pattern .gitignore (the kind GitHub's
// templates produce), for paths that match nothing (the common case: every pattern is
// tried) and paths that match early or late. BM_Scan: a whole Scan() with 1, 2 and 4
// threads, with and without the binary check (which opens and reads every candidate file).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include "scan/ignore.h"
#include "scan/scanner.h"

namespace codeindex {
namespace {

const char kGitignore[] = R"(# Byte-compiled / optimized / DLL files
__pycache__/
*.py[cod]
*$py.class
*.so
.Python
build/
develop-eggs/
dist/
downloads/
eggs/
.eggs/
lib/
lib64/
parts/
sdist/
var/
wheels/
share/python-wheels/
*.egg-info/
.installed.cfg
*.egg
MANIFEST
*.manifest
*.spec
pip-log.txt
pip-delete-this-directory.txt
htmlcov/
.tox/
.nox/
.coverage
.coverage.*
.cache
nosetests.xml
coverage.xml
*.cover
*.py,cover
.hypothesis/
.pytest_cache/
cover/
*.mo
*.pot
*.log
local_settings.py
db.sqlite3
db.sqlite3-journal
instance/
.webassets-cache
.scrapy
docs/_build/
.pybuilder/
target/
.ipynb_checkpoints
profile_default/
ipython_config.py
.pdm.toml
__pypackages__/
celerybeat-schedule
celerybeat.pid
*.sage.py
.env
.venv
env/
venv/
ENV/
env.bak/
venv.bak/
.spyderproject
.spyproject
.ropeproject
/site
.mypy_cache/
.dmypy.json
dmypy.json
.pyre/
.pytype/
cython_debug/
logs
*.log
npm-debug.log*
yarn-debug.log*
yarn-error.log*
lerna-debug.log*
.pnpm-debug.log*
report.[0-9]*.[0-9]*.[0-9]*.[0-9]*.json
pids
*.pid
*.seed
*.pid.lock
lib-cov
coverage
*.lcov
.nyc_output
.grunt
bower_components
.lock-wscript
build/Release
node_modules/
jspm_packages/
web_modules/
*.tsbuildinfo
.npm
.eslintcache
.stylelintcache
.rpt2_cache/
.rts2_cache_cjs/
.rts2_cache_es/
.rts2_cache_umd/
.node_repl_history
*.tgz
.yarn-integrity
.env.development.local
.env.test.local
.env.production.local
.env.local
.cache
.parcel-cache
.next
out
.nuxt
.vuepress/dist
.temp
.docusaurus
.serverless/
.fusebox/
.dynamodb/
.tern-port
.vscode-test
.yarn/cache
.yarn/unplugged
.yarn/build-state.yml
.yarn/install-state.gz
.pnp.*
!keep/**/*.log
)";

void BM_IgnoreMatch(benchmark::State& state) {
  IgnoreList list = IgnoreList::Parse(kGitignore, "");
  const std::vector<std::string> paths = {
      "src/codeindex/scan/scanner.py",  // no match: every pattern tried
      "packages/web/components/Button.tsx",
      "tests/unit/test_ignore_matching.py",
      "node_modules",    // matches a late directory pattern
      "src/app.log",     // matches *.log
      "keep/a/b/c.log",  // re-included by the last line
  };
  size_t i = 0;
  int64_t matched = 0;
  for (auto _ : state) {
    const std::string& p = paths[i++ % paths.size()];
    matched += list.Match(p, p == "node_modules") != IgnoreMatch::kNone;
  }
  benchmark::DoNotOptimize(matched);
  state.SetLabel(std::to_string(list.size()) + " patterns");
}
BENCHMARK(BM_IgnoreMatch);

void BM_WildMatchDoubleStar(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        WildMatch("**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", true));
  }
}
BENCHMARK(BM_WildMatchDoubleStar);

// The tree to scan: $SCAN_BENCH_DIR, or a synthetic one (2,000 files in 200 directories,
// with a .gitignore) generated once under $TMPDIR.
std::string Tree() {
  static std::string dir = [] {
    if (const char* env = getenv("SCAN_BENCH_DIR")) return std::string(env);
    namespace fs = std::filesystem;
    std::string d = (fs::temp_directory_path() / "codeindex-scan-bench-synthetic").string();
    if (!fs::exists(d + "/.done")) {
      fs::remove_all(d);
      for (int i = 0; i < 200; ++i) {
        std::string sub = d + "/pkg" + std::to_string(i % 20) + "/mod" + std::to_string(i);
        fs::create_directories(sub);
        for (int j = 0; j < 10; ++j) {
          const char* ext = j % 3 == 0 ? ".py" : j % 3 == 1 ? ".md" : ".o";
          std::ofstream(sub + "/f" + std::to_string(j) + ext)
              << "content " << i << " " << j << "\n";
        }
      }
      fs::create_directories(d + "/.git");
      std::ofstream(d + "/.git/HEAD") << "ref: refs/heads/main\n";
      std::ofstream(d + "/.gitignore") << "*.o\n/pkg1*/\n!pkg10/\n";
      std::ofstream(d + "/.done") << "";
    }
    return d;
  }();
  return dir;
}

void BM_Scan(benchmark::State& state) {
  ScanOptions options;
  options.workspace = Tree();
  options.threads = static_cast<int>(state.range(0));
  options.skip_binary = state.range(1) != 0;
  size_t files = 0;
  for (auto _ : state) {
    Result<ScanResult> r = Scan(options);
    if (!r.has_value()) {
      state.SkipWithError(r.error().ToString().c_str());
      return;
    }
    files = r->files.size();
  }
  state.counters["files"] = static_cast<double>(files);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(files));
}
BENCHMARK(BM_Scan)
    ->ArgNames({"threads", "binary_check"})
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace codeindex

BENCHMARK_MAIN();
