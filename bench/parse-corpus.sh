#!/usr/bin/env bash
# Fetches a TypeScript/JavaScript corpus for bench/parse_bench.cc into
# /tmp/codeindex-bench-corpus (npm pack of the `typescript` package: .d.ts and .js files).
# Corpus only; nothing here is used by the build or the tests.
set -euo pipefail
dest=${1:-/tmp/codeindex-bench-corpus}
mkdir -p "$dest"
cd "$dest"
if [ ! -d typescript ]; then
  npm pack --silent typescript@5.6.3 >/dev/null
  mkdir typescript && tar -xzf typescript-5.6.3.tgz -C typescript --strip-components=1
  rm -f typescript-5.6.3.tgz
fi
echo "$dest"
