#!/usr/bin/env bash
# Load test of `codeindex serve`: N concurrent keep-alive connections (wrk) searching a real
# index on loopback for a bounded time; reports errors, p50/p90/p99 latency, QPS and the
# server's peak RSS (VmHWM). Then the same while an index run re-parses every file.
#
# Usage: bench/server_load.sh [WORKSPACE] [CONNECTIONS] [SECONDS]
#   WORKSPACE    source tree to index (copied to a temp dir; default /usr/lib/python3.11)
#   CONNECTIONS  concurrent connections (default 1000)
#   SECONDS      duration of each run (default 15)
# Environment: CODEINDEX_BIN (default build/release/src/cli/codeindex), MODE (text|semantic,
#   default text), WRK_THREADS (default 2), PORT (default 17878).
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/usr/lib/python3.11}
conns=${2:-1000}
secs=${3:-15}
bin=${CODEINDEX_BIN:-build/release/src/cli/codeindex}
port=${PORT:-17878}
export MODE=${MODE:-text}
[ -x "$bin" ] || { echo "no binary at $bin (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 1; }

ws=$(mktemp -d /tmp/codeindex-load.XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$ws"
}
trap cleanup EXIT
cp -r "$src"/. "$ws"/
echo "workspace: copy of $src ($(find "$ws" -type f | wc -l) files)"
t0=$(date +%s.%N)
"$bin" index --workspace "$ws" >/dev/null
echo "index: $(echo "$(date +%s.%N) - $t0" | bc) s; $("$bin" status --workspace "$ws" --json)"

ulimit -n 20000
"$bin" serve --workspace "$ws" --port "$port" >/dev/null 2>"$ws.server.log" &
server=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/v1/status" >/dev/null 2>&1 && break
  sleep 0.1
done
# Wait for the start-up run (nothing changed: a scan) to finish.
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$port/v1/status" | grep -q '"running":false' && break
  sleep 0.1
done

run() {  # label
  local out
  out=$(wrk -t"${WRK_THREADS:-2}" -c"$conns" -d"${secs}s" --timeout 10s -s bench/server_search.lua \
        "http://127.0.0.1:$port" 2>&1)
  echo "$out" | grep -E "Socket errors|Non-2xx" || true
  echo "$1: connections=$conns mode=$MODE $(echo "$out" | grep '^RESULT' | sed 's/^RESULT //')" \
       "server_peak_rss_mb=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$server/status)" \
       "threads=$(awk '/Threads/ {print $2}' /proc/$server/status)" \
       "in_server_search_ms(p50,p99 of last 4096)=$(curl -sf "http://127.0.0.1:$port/v1/status" |
         python3 -c 'import json,sys; s=json.load(sys.stdin)["server"]; print(round(s["search_p50_ms"],2), round(s["search_p99_ms"],2))')"
}

run "search only"

# Touch every source file so that the next run re-parses (and re-embeds) all of them, then
# start it and search while it runs.
find "$ws" -name '*.py' -type f -exec sh -c 'for f; do printf "\n# touched\n" >>"$f"; done' _ {} +
curl -sf -X POST -d '{}' "http://127.0.0.1:$port/v1/index" >/dev/null
sleep 0.2
run "search while indexing"
echo "index state after: $(curl -sf "http://127.0.0.1:$port/v1/status" | head -c 400)"
kill -TERM "$server"
wait "$server" && echo "server exited 0 on SIGTERM" || echo "server exit status $?"
server=
