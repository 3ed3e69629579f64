-- wrk script for bench/server_load.sh: POST /v1/search with a rotation of queries.
-- Mode from $MODE (text | semantic; default text). Non-2xx answers are counted by wrk as
-- "Non-2xx or 3xx responses"; this script also counts them per thread and prints them.
local queries = {
  "parse json file", "open a socket connection", "read configuration", "http request headers",
  "sort a list of items", "compress data with zlib", "regular expression match",
  "thread pool executor", "decode utf-8 bytes", "format date and time", "random number",
  "path join directory", "subprocess run command", "logging handler", "unit test case",
  "hash sha256 digest", "base64 encode", "csv reader rows", "email message parser",
  "xml element tree",
}
local mode = os.getenv("MODE") or "text"
local limit = os.getenv("LIMIT") or "10"
local i = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function request()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  local body = string.format('{"query": "%s", "mode": "%s", "limit": %s}', q, mode, limit)
  return wrk.format("POST", "/v1/search", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do total_bad = total_bad + (t:get("bad") or 0) end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f qps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "non200=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_bad, errors.connect, errors.read, errors.write, errors.timeout))
end
