#!/usr/bin/env python3
"""Generates a random-weight Llama causal LM in transformers.js layout (config.json, tokenizer files,
onnx/model.onnx) with the same inputs and outputs as ../shared/models/stories260K:
input_ids, attention_mask, position_ids, past_key_values.N.{key,value} -> logits, present.N.{key,value}.

Presets:
  smollm2-135m  SmolLM2-135M's shape (hidden 576, 30 layers, 9 heads, 3 KV heads, FFN 1536,
                tied embeddings, rope_theta 100000, max_position_embeddings 8192); vocab = the
                tokenizer's size (50257 for GPT-2, vs SmolLM2's 49152) so every token id is valid.
  tiny          hidden 64, 2 layers, 4 heads, 2 KV heads: a fast model for tests with a real 50k BPE.

--logits-to-keep adds the scalar int64 input num_logits_to_keep (0 = all positions), as recent
transformers.js exports have. Needs Debian's python3-torch and python3-onnx (use /usr/bin/python3).
Generated files are not committed.
"""
import argparse, json, math, os, shutil
import torch
from torch import nn

PRESETS = {
    "smollm2-135m": dict(hidden=576, layers=30, heads=9, kv_heads=3, ffn=1536, rope_theta=100000.0, max_pos=8192),
    "tiny": dict(hidden=64, layers=2, heads=4, kv_heads=2, ffn=172, rope_theta=10000.0, max_pos=1024),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h, self.kvh = c["hidden"], c["heads"], c["kv_heads"]
        self.hd = d // self.h
        self.q = nn.Linear(d, self.h * self.hd, bias=False)
        self.k = nn.Linear(d, self.kvh * self.hd, bias=False)
        self.v = nn.Linear(d, self.kvh * self.hd, bias=False)
        self.o = nn.Linear(self.h * self.hd, d, bias=False)
        self.gate = nn.Linear(d, c["ffn"], bias=False)
        self.up = nn.Linear(d, c["ffn"], bias=False)
        self.down = nn.Linear(c["ffn"], d, bias=False)
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)

    def forward(self, x, cos, sin, mask, pk, pv):
        b, t, _ = x.shape
        y = self.n1(x)
        q = self.q(y).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k(y).view(b, t, self.kvh, self.hd).transpose(1, 2)
        v = self.v(y).view(b, t, self.kvh, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([pk, k], dim=2)
        v = torch.cat([pv, v], dim=2)
        rep = self.h // self.kvh
        kk = k[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, self.h, -1, self.hd)
        vv = v[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, self.h, -1, self.hd)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        out = torch.softmax(att, dim=-1) @ vv
        x = x + self.o(out.transpose(1, 2).reshape(b, t, self.h * self.hd))
        y = self.n2(x)
        return x + self.down(nn.functional.silu(self.gate(y)) * self.up(y)), k, v


class Llama(nn.Module):
    def __init__(self, c, vocab, logits_to_keep):
        super().__init__()
        self.c, self.logits_to_keep = c, logits_to_keep
        self.embed = nn.Embedding(vocab, c["hidden"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"])
        hd = c["hidden"] // c["heads"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        n = len(self.layers)
        past = rest[: 2 * n]
        x = self.embed(input_ids)
        freqs = position_ids.float()[..., None] * self.inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        t = input_ids.shape[1]
        total = attention_mask.shape[1]
        past_len = total - t
        # causal: query i (absolute past_len + i) sees keys j <= past_len + i, and only unmasked keys
        qpos = torch.arange(t)[:, None] + past_len
        kpos = torch.arange(total)[None, :]
        allowed = (kpos <= qpos)[None, None] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros(()), torch.full((), -1e9))
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        x = self.norm(x)
        if self.logits_to_keep:
            keep = rest[2 * n]
            start = torch.where(keep > 0, t - keep, torch.zeros_like(keep))
            x = x.index_select(1, torch.arange(start, t))
        logits = x @ self.embed.weight.t()  # tied embeddings
        return (logits, *presents)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", choices=PRESETS, default="smollm2-135m")
    ap.add_argument("--tokenizer", required=True, help="folder with tokenizer.json and tokenizer_config.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--logits-to-keep", action="store_true")
    a = ap.parse_args()
    c = PRESETS[a.preset]
    tok = json.load(open(os.path.join(a.tokenizer, "tokenizer.json")))
    vocab = len(tok["model"]["vocab"]) + sum(1 for t in tok.get("added_tokens", []) if t["id"] >= len(tok["model"]["vocab"]))
    torch.manual_seed(a.seed)
    model = Llama(c, vocab, a.logits_to_keep).eval()
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.02)
    hd = c["hidden"] // c["heads"]
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    b, t, pl = 1, 3, 2
    past = []
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(c["layers"]):
        for kv in ("key", "value"):
            past.append(torch.zeros(b, c["kv_heads"], pl, hd))
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            dyn[f"past_key_values.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[f"present.{i}.{kv}"] = {0: "batch_size", 2: "total_sequence_length"}
    args = [torch.ones(b, t, dtype=torch.long), torch.ones(b, t + pl, dtype=torch.long), torch.arange(pl, pl + t)[None], *past]
    if a.logits_to_keep:
        args.append(torch.tensor(0, dtype=torch.long))
        names_in.append("num_logits_to_keep")
    path = os.path.join(a.out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, tuple(args), path, input_names=names_in, output_names=names_out, dynamic_axes=dyn, opset_version=14)
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": c["hidden"], "intermediate_size": c["ffn"],
        "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"], "num_key_value_heads": c["kv_heads"], "head_dim": hd,
        "vocab_size": vocab, "max_position_embeddings": c["max_pos"], "rms_norm_eps": 1e-5, "rope_theta": c["rope_theta"],
        "hidden_act": "silu", "tie_word_embeddings": True, "torch_dtype": "float32", "use_cache": True,
        "bos_token_id": 50256, "eos_token_id": 50256, "pagebench_synthetic": {"preset": a.preset, "seed": a.seed, "logits_to_keep": a.logits_to_keep},
    }
    json.dump(config, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(a.tokenizer, f), os.path.join(a.out, f))
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB), vocab {vocab}")


if __name__ == "__main__":
    main()
