// End-to-end test of `codeindex serve --mcp` with the official MCP TypeScript SDK client:
// initialize, list the tools, call each one, check the answers. Run by ctest
// (src/server/CMakeLists.txt) as `node tests/mcp/mcp_e2e.mjs` with $CODEINDEX_BIN set.
// Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const bin = process.env.CODEINDEX_BIN;
assert.ok(bin, 'CODEINDEX_BIN must name the codeindex binary');

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'codeindex-mcp-'));
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), text);
};
write('src/geometry.py', [
  'import math',
  '',
  '',
  'class Circle:',
  '    def __init__(self, radius):',
  '        self.radius = radius',
  '',
  '    def area(self):',
  '        """Area of the circle from its radius."""',
  '        return math.pi * self.radius * self.radius',
  '',
  '',
  'def perimeter_of_square(side):',
  '    return 4 * side',
  '',
].join('\n'));
write('lib/strings.js', [
  'export function reverseString(text) {',
  '  return text.split("").reverse().join("");',
  '}',
  '',
].join('\n'));

try {
  execFileSync(bin, ['index', '--workspace', ws], { stdio: ['ignore', 'ignore', 'inherit'] });

  const transport = new StdioClientTransport({
    command: bin,
    args: ['serve', '--mcp', '--workspace', ws],
    stderr: 'inherit',
  });
  const client = new Client({ name: 'codeindex-e2e', version: '1.0.0' });
  await client.connect(transport);

  // initialize: the server speaks the SDK's newest revision and offers tools.
  assert.equal(client.getServerVersion().name, 'codeindex');
  assert.ok(client.getServerCapabilities().tools, 'tools capability');
  console.log('protocol', transport.protocolVersion ?? LATEST_PROTOCOL_VERSION);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, ['codebase_search', 'find_symbol', 'index_status', 'manage_context',
    'read_context']);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', `${t.name} input schema`);
  }
  const search = tools.find((t) => t.name === 'codebase_search');
  assert.deepEqual(search.inputSchema.required, ['query']);

  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    return r;
  };

  // codebase_search, text mode: the block defining area() comes first.
  let r = await call('codebase_search', { query: 'circle area radius', mode: 'text', limit: 5 });
  assert.equal(r.isError, false, JSON.stringify(r));
  let body = JSON.parse(r.content[0].text);
  assert.ok(body.results.length >= 1, 'search found something');
  assert.equal(body.results[0].file_path, 'src/geometry.py');
  assert.deepEqual(r.structuredContent, body);
  // path prefix keeps only lib/.
  r = await call('codebase_search', { query: 'reverse text', mode: 'text', path: 'lib/' });
  body = JSON.parse(r.content[0].text);
  assert.ok(body.results.length >= 1);
  for (const res of body.results) assert.ok(res.file_path.startsWith('lib/'), res.file_path);
  // default mode answers (semantic, or text when the index has no vectors).
  r = await call('codebase_search', { query: 'reverse a string' });
  assert.equal(r.isError, false, JSON.stringify(r));
  // hybrid (the default model is built in) fuses both lists; an unknown mode is a tool error,
  // not a protocol error.
  r = await call('codebase_search', { query: 'area of a circle', mode: 'hybrid' });
  assert.equal(r.isError, false, JSON.stringify(r));
  assert.ok(JSON.parse(r.content[0].text).results.length >= 1);
  r = await call('codebase_search', { query: 'x', mode: 'fuzzy' });
  assert.equal(r.isError, true);
  // a path outside the workspace is refused.
  r = await call('codebase_search', { query: 'x', mode: 'text', path: '../..' });
  assert.equal(r.isError, true);

  // find_symbol
  r = await call('find_symbol', { name: 'area' });
  assert.equal(r.isError, false, JSON.stringify(r));
  body = JSON.parse(r.content[0].text);
  assert.ok(body.symbols.some((s) => s.file_path === 'src/geometry.py' && s.start_line === 8),
            JSON.stringify(body));

  // read_context: lines 9-10 sit in Circle.area.
  r = await call('read_context', { file: 'src/geometry.py', start: 9, end: 10 });
  assert.equal(r.isError, false, JSON.stringify(r));
  body = JSON.parse(r.content[0].text);
  assert.match(body.content, /math\.pi/);
  assert.deepEqual(body.enclosing.map((s) => s.name), ['Circle', 'area']);
  assert.equal(body.imports[0].text, 'import math');
  r = await call('read_context', { file: '/etc/passwd', start: 1, end: 1 });
  assert.equal(r.isError, true);

  // index_status
  r = await call('index_status', {});
  assert.equal(r.isError, false, JSON.stringify(r));
  body = JSON.parse(r.content[0].text);
  assert.ok(['Indexed', 'Indexing'].includes(body.state), body.state);
  assert.equal(body.files, 2);
  // The cache's counters and the process's latency histograms, as /v1/status has them.
  assert.equal(typeof body.cache.enabled, 'boolean', JSON.stringify(body.cache));
  assert.ok('spaces' in body.cache, JSON.stringify(body.cache));
  assert.ok(body.cache.spaces.symbols.misses >= 1, JSON.stringify(body.cache.spaces));
  assert.equal(typeof body.metrics, 'object');
  assert.ok(Object.keys(body.metrics).length > 0, JSON.stringify(body.metrics));

  // manage_context: 11 messages over the allowed tokens, no model -> sliding window.
  const messages = Array.from({ length: 11 }, (_, i) => ({
    role: i % 2 ? 'assistant' : 'user', content: `m${i}`, ts: 1000 + i }));
  r = await call('manage_context', { messages, totalTokens: 180000, contextWindow: 200000 });
  assert.equal(r.isError, false, JSON.stringify(r));
  body = JSON.parse(r.content[0].text);
  assert.equal(body.decision, 'truncated');
  assert.equal(body.messagesRemoved, 4);
  assert.equal(body.errorKey, 'condense_unavailable');
  assert.equal(body.messages[5].content,
    '[Sliding window truncation: 4 messages hidden to reduce context]');
  assert.equal(body.messages[5].ts, 1004);

  // unknown tool: a JSON-RPC error.
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }));

  await client.close();
  console.log('mcp e2e: ok');
} finally {
  fs.rmSync(ws, { recursive: true, force: true });
}
