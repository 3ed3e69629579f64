#!/usr/bin/env node
// Anchor for bench/tokens_bench.cc: the original's tokenizer, tiktoken@1.0.21 (Rust
// compiled to WebAssembly) under node, counting the same files.
//
// Usage: node tokens_node.cjs TIKTOKEN_DIR ENCODING LIST_FILE
//   LIST_FILE: one path per line. Files are read as 'utf8' (as the original reads text).
// Prints: "<total tokens> <CPU seconds encoding> <seconds building the encoder> <wall
// seconds encoding>". CPU time, like Google Benchmark's rates for our side, so that a busy
// machine penalises both the same way.
"use strict";
const fs = require("fs");
const path = require("path");

const [dir, encoding, list] = process.argv.slice(2);
const { Tiktoken } = require(path.resolve(dir, "lite", "tiktoken.cjs"));
const model = require(path.resolve(dir, "encoders", encoding + ".json"));
const texts = fs.readFileSync(list, "utf8").split("\n").filter(Boolean)
    .map((p) => fs.readFileSync(p, "utf8"));

const l0 = process.hrtime.bigint();
const enc = new Tiktoken(model.bpe_ranks, model.special_tokens, model.pat_str);
const l1 = process.hrtime.bigint();
enc.encode(texts[0] || "", [], []);  // warm-up
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let total = 0;
for (const t of texts) total += enc.encode(t, [], []).length;
const t1 = process.hrtime.bigint();
const cpu = process.cpuUsage(c0);
console.log(total, (cpu.user + cpu.system) / 1e6, Number(l1 - l0) / 1e9, Number(t1 - t0) / 1e9);
enc.free();
