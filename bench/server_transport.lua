-- wrk summary line for the transport comparison in bench/README.md "## server".
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d qps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f connect_err=%d read_err=%d write_err=%d timeout_err=%d non2xx=%d\n",
    summary.requests, summary.requests/(summary.duration/1e6), latency:percentile(50)/1000, latency:percentile(99)/1000, latency.max/1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
