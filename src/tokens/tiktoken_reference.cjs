#!/usr/bin/env node
// The reference for tiktoken_diff_test: the pinned npm package tiktoken@1.0.21 (Rust
// tiktoken compiled to WebAssembly, what the original runs), loaded the way the original
// loads it ("lite" build plus encoders/<name>.json), called the way the original calls it
// (special-token text encoded as ordinary text).
//
// Usage: node tiktoken_reference.cjs TIKTOKEN_DIR ENCODING < IN > OUT
//   IN: one text per line, base64 of its raw bytes. Bytes are decoded with Buffer's UTF-8
//       decoder first, as Node does for a file read as 'utf8' (ill-formed -> U+FFFD).
//   OUT: one line per text: the token ids separated by spaces, or "ERROR <message>".
"use strict";
const path = require("path");
const readline = require("readline");

const [dir, encoding] = process.argv.slice(2);
if (!dir || !encoding) {
  console.error("usage: tiktoken_reference.cjs TIKTOKEN_DIR ENCODING");
  process.exit(2);
}
const { Tiktoken } = require(path.resolve(dir, "lite", "tiktoken.cjs"));
const model = require(path.resolve(dir, "encoders", encoding + ".json"));
const enc = new Tiktoken(model.bpe_ranks, model.special_tokens, model.pat_str);

const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const text = Buffer.from(line, "base64").toString("utf8");
  try {
    out.push(Array.from(enc.encode(text, [], [])).join(" "));
  } catch (e) {
    out.push("ERROR " + String(e && e.message ? e.message : e).replace(/\s+/g, " "));
  }
});
rl.on("close", () => {
  process.stdout.write(out.join("\n") + "\n");
  enc.free();
});
