// Anchor for stream_bench's BM_SseParse: npm eventsource-parser (tests/sse, pinned) under node
// on the same stream, fed in the same chunk size. The stream comes from
//   STREAM_BENCH_DUMP=/tmp/sse-shape0.txt build/release/bench/stream_bench --benchmark_filter=NONE
// (writes the three shapes as /tmp/sse-shape{0,1,2}.txt), then
//   node bench/sse_node.mjs /tmp/sse-shape0.txt 65536
// prints MB/s over the CPU time of the parse loop (reading the file excluded) and the events.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '../tests/sse/package.json'))
const {createParser} = await import(require.resolve('eventsource-parser'))

const [file, chunkArg] = process.argv.slice(2)
const chunk = Number(chunkArg ?? 65536)
const text = readFileSync(file, 'latin1')
let best = Infinity
let events = 0
for (let rep = 0; rep < 3; rep++) {
  events = 0
  let bytes = 0
  const parser = createParser({onEvent: (e) => { events++; bytes += e.data.length }})
  const start = process.cpuUsage()
  for (let i = 0; i < text.length; i += chunk) parser.feed(text.slice(i, i + chunk))
  const used = process.cpuUsage(start)
  best = Math.min(best, (used.user + used.system) / 1e6)
}
console.log(JSON.stringify({file, chunk, bytes: text.length, events, seconds: best,
                            mb_per_s: text.length / 1048576 / best}))
