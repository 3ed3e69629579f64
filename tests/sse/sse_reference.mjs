// Reference side of src/stream/sse_reference_test.cc: runs npm eventsource-parser (pinned in
// package-lock.json, installed by scripts/setup) over the streams the test generated.
//
//   node sse_reference.mjs IN.json OUT.json
//
// IN: [{"s": hex bytes, "plans": [[cut, cut, ...], ...]}]. Each plan feeds the stream cut at
// the given offsets (repeated offsets make empty chunks). Bytes become a latin1 string (one
// char per byte), so that every byte offset is a valid cut and the output maps back to the
// exact bytes. OUT: per stream {"log": [...], "diff": {planIndex: log}} where log is the
// whole stream's sequence of ["e", hex type|null, hex data, hex id|null], ["c", hex comment],
// ["r", retry] and diff lists the plans whose log differs from it (expected: none).
import {readFileSync, writeFileSync} from 'node:fs'
import {createParser} from 'eventsource-parser'

const hex = (s) => Buffer.from(s, 'latin1').toString('hex')

function run(text, cuts) {
  const log = []
  const parser = createParser({
    onEvent: (e) =>
      log.push(['e', e.event === undefined ? null : hex(e.event), hex(e.data),
                e.id === undefined ? null : hex(e.id)]),
    onComment: (c) => log.push(['c', hex(c)]),
    onRetry: (r) => log.push(['r', r]),
  })
  let at = 0
  for (const cut of cuts) {
    parser.feed(text.slice(at, cut))
    at = cut
  }
  parser.feed(text.slice(at))
  return log
}

const [input, output] = process.argv.slice(2)
const streams = JSON.parse(readFileSync(input, 'utf8'))
const out = streams.map(({s, plans}) => {
  const text = Buffer.from(s, 'hex').toString('latin1')
  const whole = run(text, [])
  const wholeJson = JSON.stringify(whole)
  const diff = {}
  plans.forEach((cuts, i) => {
    const log = run(text, cuts)
    if (JSON.stringify(log) !== wholeJson) diff[i] = log
  })
  return {log: whole, diff}
})
writeFileSync(output, JSON.stringify(out))
