#!/bin/bash
source ./lib.sh

log() {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

for f in "$@"; do
  if [ -f "$f" ]; then
    log "processing $f and counting its lines"
    wc -l "$f"
  fi
done
