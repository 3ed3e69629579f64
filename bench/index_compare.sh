#!/usr/bin/env bash
# The index end to end on a real repository (bench/README.md, "index"):
#   index cold / warm / after touching 1 % of the files: wall time and peak RSS;
#   index size as a ratio of the indexed source bytes;
#   search --mode text latency: in process (search_bench: Searcher against raw Xapian on the
#   same database) and as a command (`codeindex search` against `rg`, one process per query).
#
#   bench/index_compare.sh WORKSPACE [NUM_QUERIES]
#
# Needs the release build (cmake --preset release && cmake --build --preset release).
# WORKSPACE/.codeindex is deleted first. Queries: 1 to 3 identifiers drawn (seed 42) from the
# indexed files, written to $WORK/queries.txt.
set -euo pipefail
ws=$(realpath "${1:?usage: bench/index_compare.sh WORKSPACE [NUM_QUERIES]}")
nq=${2:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/release/src/cli/codeindex
bench=$root/build/release/bench/search_bench
work=${WORK:-/tmp/codeindex_index_bench}
mkdir -p "$work"

timed() {  # timed LABEL CMD...: prints wall seconds and peak RSS
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt"
  read -r wall rss <"$work/time.txt"
  printf '%-28s wall %8.2f s   peak RSS %6d MB   %s\n' "$label" "$wall" $((rss / 1024)) \
    "$(tail -n1 "$work/out.txt")"
}

echo "workspace: $ws"
"$bin" files --workspace "$ws" -0 >"$work/files.bin"
python3 - "$ws" "$work/files.bin" <<'EOF'
import os, sys
ws, lst = sys.argv[1], sys.argv[2]
paths = [p for p in open(lst, 'rb').read().split(b'\0') if p]
size = lines = 0
for p in paths:
    with open(os.path.join(ws.encode(), p), 'rb') as f:
        b = f.read()
    size += len(b); lines += b.count(b'\n')
print(f"indexed files: {len(paths)}, {lines} lines, {size/1e6:.1f} MB")
open(lst + '.bytes', 'w').write(str(size))
EOF
nproc_line="cores $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$nproc_line"

rm -rf "$ws/.codeindex"
timed "index (cold)" "$bin" index --workspace "$ws"
timed "index (warm, no change)" "$bin" index --workspace "$ws"
# Touch 1 % of the files: append a comment line.
python3 - "$ws" "$work/files.bin" <<'EOF'
import os, random, sys
ws, lst = sys.argv[1], sys.argv[2]
paths = sorted(p for p in open(lst, 'rb').read().split(b'\0') if p)
random.seed(7)
for p in random.sample(paths, max(1, len(paths) // 100)):
    with open(os.path.join(ws.encode(), p), 'ab') as f:
        f.write(b'\n// touched by index_compare\n')
EOF
timed "index (1 % of files changed)" "$bin" index --workspace "$ws"

src_bytes=$(cat "$work/files.bin.bytes")
idx_bytes=$(du -sb "$ws/.codeindex" | cut -f1)
python3 -c "import sys; s,i=int(sys.argv[1]),int(sys.argv[2]); print(f'index size: {i/1e6:.1f} MB = {i/s:.2f} x source ({s/1e6:.1f} MB)')" \
  "$src_bytes" "$idx_bytes"
du -sb "$ws/.codeindex"/* | while read -r b p; do printf '  %-40s %8.1f MB\n' "${p#"$ws"/}" "$(echo "$b/1000000" | bc -l)"; done

# Queries: 1-3 identifiers of 4+ characters drawn from the indexed files.
python3 - "$ws" "$work/files.bin" "$nq" "$work/queries.txt" <<'EOF'
import os, random, re, sys
ws, lst, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
paths = sorted(p for p in open(lst, 'rb').read().split(b'\0') if p)
rng = random.Random(42)
ident = re.compile(rb'[A-Za-z_][A-Za-z0-9_]{3,30}')
qs = []
while len(qs) < n:
    p = rng.choice(paths)
    words = ident.findall(open(os.path.join(ws.encode(), p), 'rb').read())
    if len(words) < 3:
        continue
    i = rng.randrange(len(words) - 2)
    qs.append(b' '.join(words[i:i + rng.randint(1, 3)]).decode('ascii'))
open(out, 'w').write('\n'.join(qs) + '\n')
EOF
echo "queries: $nq from $work/queries.txt, e.g. $(head -n3 "$work/queries.txt" | paste -sd'|')"

echo "-- in process, hot cache (search_bench)"
"$bench" --workspace "$ws" --queries "$work/queries.txt" --mode text --k 10

echo "-- one process per query, hot cache (first 50 queries, second of two passes)"
python3 - "$bin" "$ws" "$work/queries.txt" <<'EOF'
import subprocess, sys, time
bin, ws, qf = sys.argv[1], sys.argv[2], sys.argv[3]
qs = [q for q in open(qf).read().split('\n') if q][:50]
def run(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000
def stats(ms):
    ms = sorted(ms)
    return ms[len(ms) // 2], ms[min(len(ms) - 1, len(ms) * 99 // 100)]
res = {}
for name, mk in [
    ("codeindex search --mode text", lambda q: [bin, 'search', q, '--workspace', ws, '--mode', 'text', '--json']),
    ("rg -l -i -F -e W... (anchor)", lambda q: ['rg', '-l', '-i', '-F'] + sum((['-e', w] for w in q.split()), []) + [ws]),
]:
    for q in qs: run(mk(q))
    res[name] = stats([run(mk(q)) for q in qs])
    print(f"{name:32s} p50 {res[name][0]:8.1f} ms   p99 {res[name][1]:8.1f} ms")
a, b = list(res.values())
print(f"ratio codeindex/rg: p50 {a[0]/b[0]:.3f}  p99 {a[1]/b[1]:.3f}")
EOF
