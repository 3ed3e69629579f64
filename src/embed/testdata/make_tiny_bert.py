#!/usr/bin/python3
"""Writes a tiny, randomly initialised BERT and its reference outputs (numpy, float64).

Usage: make_tiny_bert.py OUTDIR

OUTDIR/mean/  model.safetensors (weights under a `bert.` prefix), config.json, vocab.txt
OUTDIR/cls/   the same weights, tokenizer.json instead of vocab.txt, and
              1_Pooling/config.json selecting CLS pooling
OUTDIR/nomic/ a tiny nomic-bert (rotary, fused Wqkv, SwiGLU, no biases) with tokenizer.json
              and sentence-transformers prompts "search_query: " / "search_document: "
OUTDIR/expected.json  {"max_tokens", "texts", "ids", "mean", "cls", "nomic_document",
              "nomic_query"}: token ids with [CLS]/[SEP] and the L2-normalised pooled
              outputs of the reference forward passes below (nomic: mean pooling, with the
              document or query prompt prepended to the text).

The forward passes are written from the BERT paper / HF BertModel semantics (post-LayerNorm
encoder, erf GELU) and from nomic-bert's published architecture (GPT-NeoX rotary embeddings,
fc2(fc11(x) * silu(fc12(x)))), independently of the C++ implementation they check.
"""
import json
import math
import os
import struct
import sys

import numpy as np

VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
         + [str(d) for d in range(10)] + list("(){}[].,:;=+-*/<>_!\"'")
         + ["def", "return", "self", "parse", "file", "index", "vector", "search", "hello", "world",
            "class", "import", "the", "code"]
         + ["##s", "##ed", "##ing", "##er", "##e", "##x", "##a", "##t", "##o", "##n", "##d", "##l"])
HIDDEN, LAYERS, HEADS, INTER, MAX_POS, TYPES = 32, 2, 4, 64, 64, 2
EPS = 1e-12
TEXTS = [
    "def parse(file): return self.index",
    "Vector search",
    "hello world!",
    "x",
    "",
    "Parsed files, indexed vectors; the code " * 12,  # longer than MAX_POS: truncated
]

rng = np.random.default_rng(20261126)


def normal(*shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def build_weights():
    w = {}
    w["embeddings.word_embeddings.weight"] = normal(len(VOCAB), HIDDEN, scale=0.5)
    w["embeddings.position_embeddings.weight"] = normal(MAX_POS, HIDDEN, scale=0.5)
    w["embeddings.token_type_embeddings.weight"] = normal(TYPES, HIDDEN, scale=0.5)
    w["embeddings.LayerNorm.weight"] = 1 + normal(HIDDEN, scale=0.1)
    w["embeddings.LayerNorm.bias"] = normal(HIDDEN, scale=0.1)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name, (o, n) in {"attention.self.query": (HIDDEN, HIDDEN),
                             "attention.self.key": (HIDDEN, HIDDEN),
                             "attention.self.value": (HIDDEN, HIDDEN),
                             "attention.output.dense": (HIDDEN, HIDDEN),
                             "intermediate.dense": (INTER, HIDDEN),
                             "output.dense": (HIDDEN, INTER)}.items():
            w[p + name + ".weight"] = normal(o, n, scale=1.0 / math.sqrt(n))
            w[p + name + ".bias"] = normal(o, scale=0.1)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + ln + ".weight"] = 1 + normal(HIDDEN, scale=0.1)
            w[p + ln + ".bias"] = normal(HIDDEN, scale=0.1)
    w["pooler.dense.weight"] = normal(HIDDEN, HIDDEN)  # present in real files, unused
    w["pooler.dense.bias"] = normal(HIDDEN)
    return w


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def is_punct(c):
    o = ord(c)
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126


def tokenize(text):
    ids = {t: i for i, t in enumerate(VOCAB)}
    words, cur = [], ""
    for c in text.lower():
        if c.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif is_punct(c):
            if cur:
                words.append(cur)
            words.append(c)
            cur = ""
        else:
            cur += c
    if cur:
        words.append(cur)
    out = []
    for word in words:
        pieces, start, bad = [], 0, False
        while start < len(word):
            end, found = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in ids:
                    found = ids[sub]
                    break
                end -= 1
            if found is None:
                bad = True
                break
            pieces.append(found)
            start = end
        out.extend([ids["[UNK]"]] if bad else pieces)
    out = out[:MAX_POS - 2]
    return [ids["[CLS]"]] + out + [ids["[SEP]"]]


def layer_norm(x, g, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * g + b


erf = np.vectorize(math.erf)


def forward(w, ids):
    f = {k: v.astype(np.float64) for k, v in w.items()}
    n = len(ids)
    x = f["embeddings.word_embeddings.weight"][ids] + f["embeddings.position_embeddings.weight"][:n] \
        + f["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, f["embeddings.LayerNorm.weight"], f["embeddings.LayerNorm.bias"])
    d = HIDDEN // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        lin = lambda name, v: v @ f[p + name + ".weight"].T + f[p + name + ".bias"]
        q, k, v = (lin("attention.self." + s, x) for s in ("query", "key", "value"))
        ctx = np.zeros_like(x)
        for h in range(HEADS):
            sl = slice(h * d, (h + 1) * d)
            s = q[:, sl] @ k[:, sl].T / math.sqrt(d)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx[:, sl] = s @ v[:, sl]
        x1 = layer_norm(lin("attention.output.dense", ctx) + x, f[p + "attention.output.LayerNorm.weight"],
                        f[p + "attention.output.LayerNorm.bias"])
        inter = lin("intermediate.dense", x1)
        inter = 0.5 * inter * (1 + erf(inter / math.sqrt(2)))
        x = layer_norm(lin("output.dense", inter) + x1, f[p + "output.LayerNorm.weight"],
                       f[p + "output.LayerNorm.bias"])
    unit = lambda v: (v / np.linalg.norm(v)).tolist()
    return unit(x.mean(0)), unit(x[0])


NOMIC_INTER, NOMIC_BASE = 48, 1000.0
NOMIC_PROMPTS = {"query": "search_query: ", "document": "search_document: "}


def build_nomic_weights():
    w = {"embeddings.word_embeddings.weight": normal(len(VOCAB), HIDDEN, scale=0.5),
         "embeddings.token_type_embeddings.weight": normal(TYPES, HIDDEN, scale=0.5),
         "emb_ln.weight": 1 + normal(HIDDEN, scale=0.1), "emb_ln.bias": normal(HIDDEN, scale=0.1)}
    for i in range(LAYERS):
        p = f"encoder.layers.{i}."
        w[p + "attn.Wqkv.weight"] = normal(3 * HIDDEN, HIDDEN, scale=1.0 / math.sqrt(HIDDEN))
        w[p + "attn.out_proj.weight"] = normal(HIDDEN, HIDDEN, scale=1.0 / math.sqrt(HIDDEN))
        w[p + "mlp.fc11.weight"] = normal(NOMIC_INTER, HIDDEN, scale=1.0 / math.sqrt(HIDDEN))
        w[p + "mlp.fc12.weight"] = normal(NOMIC_INTER, HIDDEN, scale=1.0 / math.sqrt(HIDDEN))
        w[p + "mlp.fc2.weight"] = normal(HIDDEN, NOMIC_INTER, scale=1.0 / math.sqrt(NOMIC_INTER))
        for n in ("norm1", "norm2"):
            w[p + n + ".weight"] = 1 + normal(HIDDEN, scale=0.1)
            w[p + n + ".bias"] = normal(HIDDEN, scale=0.1)
    return w


def rotate(x, n):
    """GPT-NeoX rotary embedding of x [n, d] (one head): pairs (i, i + d/2)."""
    d = x.shape[1]
    half = d // 2
    inv = NOMIC_BASE ** (-np.arange(0, half) * 2.0 / d)
    ang = np.arange(n)[:, None] * inv[None, :]
    cos, sin = np.cos(ang), np.sin(ang)
    x1, x2 = x[:, :half], x[:, half:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=1)


def forward_nomic(w, ids):
    f = {k: v.astype(np.float64) for k, v in w.items()}
    n = len(ids)
    x = f["embeddings.word_embeddings.weight"][ids] + f["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, f["emb_ln.weight"], f["emb_ln.bias"])
    d = HIDDEN // HEADS
    for i in range(LAYERS):
        p = f"encoder.layers.{i}."
        qkv = x @ f[p + "attn.Wqkv.weight"].T
        q, k, v = qkv[:, :HIDDEN], qkv[:, HIDDEN:2 * HIDDEN], qkv[:, 2 * HIDDEN:]
        ctx = np.zeros_like(x)
        for h in range(HEADS):
            sl = slice(h * d, (h + 1) * d)
            qh, kh = rotate(q[:, sl], n), rotate(k[:, sl], n)
            s = qh @ kh.T / math.sqrt(d)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx[:, sl] = s @ v[:, sl]
        x = layer_norm(ctx @ f[p + "attn.out_proj.weight"].T + x, f[p + "norm1.weight"], f[p + "norm1.bias"])
        gate = x @ f[p + "mlp.fc12.weight"].T
        y = (x @ f[p + "mlp.fc11.weight"].T) * (gate / (1 + np.exp(-gate)))
        x = layer_norm(y @ f[p + "mlp.fc2.weight"].T + x, f[p + "norm2.weight"], f[p + "norm2.bias"])
    m = x.mean(0)
    return (m / np.linalg.norm(m)).tolist()


def tokenizer_json():
    ids = {t: i for i, t in enumerate(VOCAB)}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", ids["[SEP]"]], "cls": ["[CLS]", ids["[CLS]"]]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def main():
    out = sys.argv[1]
    w = build_weights()
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": len(VOCAB),
              "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
              "intermediate_size": INTER, "hidden_act": "gelu", "max_position_embeddings": MAX_POS,
              "type_vocab_size": TYPES, "layer_norm_eps": EPS, "position_embedding_type": "absolute"}
    for sub in ("mean", "cls", "cls/1_Pooling"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for sub in ("mean", "cls"):
        write_safetensors(os.path.join(out, sub, "model.safetensors"), {"bert." + k: v for k, v in w.items()})
        with open(os.path.join(out, sub, "config.json"), "w") as f:
            json.dump(config, f)
    with open(os.path.join(out, "mean", "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    with open(os.path.join(out, "cls", "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f)
    with open(os.path.join(out, "cls", "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": True,
                   "pooling_mode_mean_tokens": False}, f)
    nw = build_nomic_weights()
    os.makedirs(os.path.join(out, "nomic"), exist_ok=True)
    write_safetensors(os.path.join(out, "nomic", "model.safetensors"), nw)
    with open(os.path.join(out, "nomic", "config.json"), "w") as f:
        json.dump({"model_type": "nomic_bert", "vocab_size": len(VOCAB), "n_embd": HIDDEN, "n_head": HEADS,
                   "n_layer": LAYERS, "n_inner": NOMIC_INTER, "type_vocab_size": TYPES,
                   "layer_norm_epsilon": EPS, "rotary_emb_base": NOMIC_BASE, "rotary_emb_fraction": 1.0,
                   "rotary_emb_interleaved": False, "activation_function": "swiglu", "qkv_proj_bias": False,
                   "mlp_fc1_bias": False, "mlp_fc2_bias": False, "prenorm": False,
                   "max_trained_positions": MAX_POS, "n_positions": MAX_POS}, f)
    with open(os.path.join(out, "nomic", "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f)
    with open(os.path.join(out, "nomic", "config_sentence_transformers.json"), "w") as f:
        json.dump({"prompts": NOMIC_PROMPTS, "default_prompt_name": None}, f)
    expected = {"max_tokens": MAX_POS, "texts": TEXTS, "ids": [], "mean": [], "cls": [],
                "nomic_document": [], "nomic_query": []}
    for t in TEXTS:
        ids = tokenize(t)
        mean, cls = forward(w, ids)
        expected["ids"].append(ids)
        expected["mean"].append(mean)
        expected["cls"].append(cls)
        expected["nomic_document"].append(forward_nomic(nw, tokenize(NOMIC_PROMPTS["document"] + t)))
        expected["nomic_query"].append(forward_nomic(nw, tokenize(NOMIC_PROMPTS["query"] + t)))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
