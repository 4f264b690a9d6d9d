"""Trains a tiny GPT for a few hundred steps directly from a Winnow version's Megatron shards.

    python3 scripts/train_tiny_gpt.py --manifest OUT/manifest.json --steps 300

Reads the shards with scripts/megatron_reader.py (numpy, written from the format description),
samples random windows from the token stream, and prints the loss as it falls, the device, and
tokens/s read. No network access; PyTorch only.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from megatron_reader import MegatronDataset  # noqa: E402


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab, d=256, layers=4, heads=4, context=256):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight
        # GPT-2 style initialisation: small embeddings, so the first loss is about ln(vocabulary).
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)
        self.register_buffer("mask", torch.triu(torch.full((context, context), float("-inf")), 1), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t, device=idx.device))
        for b in self.blocks:
            x = b(x, self.mask[:t, :t])
        return self.head(self.ln(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--split", default=None, help="split to train on (default: the largest)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    manifest = json.load(open(args.manifest))
    root = os.path.dirname(os.path.abspath(args.manifest))
    shards = [s for s in manifest["shards"] if args.split in (None, s["split"])]
    shards.sort(key=lambda s: -s["tokens"])
    data = MegatronDataset(os.path.join(root, shards[0]["prefix"]))
    stream = torch.from_numpy(np.asarray(data.tokens).astype(np.int64))
    vocab = manifest["vocabulary_size"]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    print(f"device {name}; shard {shards[0]['prefix']}: {len(data):,} documents, {len(stream):,} tokens, "
          f"dtype {data.dtype}, vocabulary {vocab:,}", flush=True)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = TinyGPT(vocab, context=args.context).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30) * 0.5 * (1 + math.cos(math.pi * s / args.steps)))
    stream_dev = stream.to(device)
    tokens_read, first, last = 0, None, None
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.time()
    for step in range(args.steps):
        starts = torch.randint(0, len(stream) - args.context - 1, (args.batch,), generator=gen).to(device)
        offsets = starts[:, None] + torch.arange(args.context + 1, device=device)[None, :]
        window = stream_dev[offsets]
        x, y = window[:, :-1], window[:, 1:]
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
            logits = model(x)
            loss = F.cross_entropy(logits.float().reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        tokens_read += x.numel()
        value = loss.item()
        first = value if first is None else first
        last = value
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {value:.4f}", flush=True)
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.time() - started
    print(f"RESULT device={name} steps={args.steps} first_loss={first:.4f} last_loss={last:.4f} "
          f"tokens_per_s={tokens_read / elapsed:,.0f} seconds={elapsed:.1f}", flush=True)
    if not last < first:
        sys.exit("loss did not fall")


if __name__ == "__main__":
    main()
