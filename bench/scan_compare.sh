#!/bin/sh
# Times `codeindex files` against `git ls-files -co --exclude-standard` and `rg --files` on the
# same large tree, in the same run (warm cache, hyperfine, median of several runs).
#
# usage: bench/scan_compare.sh [CODEINDEX_BIN]     (default build/release/src/cli/codeindex)
# env:   SCAN_BENCH_DIR  where the tree is built (default /tmp/codeindex-scan-bench; reused)
#        SCAN_BENCH_RUNS hyperfine runs per command (default 10)
#
# The tree: copies of /usr/lib/python3.11, /usr/lib/python3/dist-packages and /usr/include,
# made into a git repository with every file committed (as in a real checkout: git then
# walks the tree for untracked files and reads the index for the tracked ones), plus
# nested .gitignore files with negations, anchored, `**` and directory-only patterns.
set -eu
BIN=${1:-build/release/src/cli/codeindex}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
DIR=${SCAN_BENCH_DIR:-/tmp/codeindex-scan-bench}
RUNS=${SCAN_BENCH_RUNS:-10}

if [ ! -d "$DIR/.git" ]; then
  echo "building $DIR ..." >&2
  rm -rf "$DIR"
  mkdir -p "$DIR/python3.11" "$DIR/dist-packages" "$DIR/include"
  cp -a /usr/lib/python3.11/. "$DIR/python3.11/"
  cp -a /usr/lib/python3/dist-packages/. "$DIR/dist-packages/"
  cp -a /usr/include/. "$DIR/include/"
  cat > "$DIR/.gitignore" <<'EOF'
*.pyc
*.so
/include/boost/
**/test/data/
docs/**/*.txt
!include/linux/
EOF
  cat > "$DIR/python3.11/.gitignore" <<'EOF'
/test/
!test/support/
idlelib/*
!idlelib/idle_test/
*.exe
lib2to3/tests/data/**
EOF
  cat > "$DIR/include/.gitignore" <<'EOF'
c++/*/bits/
!c++/*/bits/stl_*.h
x86_64-linux-gnu/**/asm/
*.tcc
EOF
  cat > "$DIR/dist-packages/.gitignore" <<'EOF'
*.dist-info/
*-info/
!README*
EOF
  (cd "$DIR" && git init -q && printf 'local.py\n/scratch/\n' >> .git/info/exclude &&
   git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm tree)
fi

echo "tree: $(find "$DIR" -path "$DIR/.git" -prune -o -type f -print | wc -l) files," \
     "$(find "$DIR" -path "$DIR/.git" -prune -o -type d -print | wc -l) directories" >&2
"$BIN" files --stats --workspace "$DIR" > /dev/null

OUT=$(mktemp -d)
hyperfine --warmup 3 --runs "$RUNS" --export-json "$OUT/h.json" --style basic \
  -n "codeindex files" "$BIN files --workspace $DIR" \
  -n "codeindex files -j1" "$BIN files -j1 --workspace $DIR" \
  -n "git ls-files -co --exclude-standard" "git -C $DIR ls-files -co --exclude-standard" \
  -n "rg --files" "rg --files $DIR" \
  -n "rg --files --hidden --follow (original)" "sh -c 'rg --files --hidden --follow $DIR || true'" \
  > "$OUT/h.txt" 2>&1 || { cat "$OUT/h.txt"; exit 1; }

python3 - "$OUT/h.json" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = res[0]["median"]
base_cpu = res[0]["user"] + res[0]["system"]
print(f"{'command':42} {'median ms':>9} {'min ms':>7} {'cpu ms':>7} {'wall ratio':>10} {'cpu ratio':>9}")
for r in res:
    cpu = r["user"] + r["system"]
    print(f"{r['command']:42} {r['median']*1000:9.1f} {r['min']*1000:7.1f} {cpu*1000:7.1f}"
          f" {r['median']/base:9.2f}x {cpu/base_cpu:8.2f}x")
EOF
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$OUT"
