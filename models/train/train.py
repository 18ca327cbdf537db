"""Train the reference model set and export float ONNX (opset 17, dynamic batch).

Run with Debian's interpreter (torch 1.13 + onnx 1.12 from apt), never the pyenv shim:

    /usr/bin/python3 models/train/train.py --data models/train/.data --out models/train/.work/float

Phase 1 trains the four encoders, the concat head and one auxiliary classifier per modality
jointly, with modality dropout, on 4/5 of the training worlds. Phase 2 freezes the encoders and,
on embeddings of the held-out fifth (worlds the encoders never saw, so the embeddings look like
field ones rather than memorised ones), trains the weighted and attention heads (modality
dropout again), refits the concat head, and trains the `without_<m>` baselines.
Everything is seeded and single-process, so reruns on this machine are bit-identical.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nets import MODALITIES, ConcatHead, make_encoder, make_head  # noqa: E402
import export  # noqa: E402

FILES = {'camera': 'camera.npy', 'depth': 'depth.npy', 'lidar': 'lidar.npy', 'eeg': 'eeg.npy'}


def log(*a):
    print('[train]', *a, flush=True)


def load_split(root, split):
    d = os.path.join(root, split)
    x = {m: np.load(os.path.join(d, FILES[m])) for m in MODALITIES}
    y = np.load(os.path.join(d, 'label.npy')).astype(np.int64)
    for m in MODALITIES:
        assert x[m].dtype == np.float32 and x[m].shape[0] == y.shape[0], (split, m, x[m].dtype, x[m].shape)
    seeds = None
    meta_path = os.path.join(d, 'meta.json')
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            seeds = (json.load(f).get('samples') or {}).get('seed')
    if seeds is None or len(seeds) != len(y):  # no per-sample world seeds: treat each sample as its own
        seeds = list(range(len(y)))
    return x, y, np.asarray(seeds, dtype=np.int64)


def head_split(seeds, every):
    """Boolean mask of the samples held out from phase 1 for phase 2: every `every`-th world
    seed (by sorted seed), so heads are fitted on embeddings of worlds the encoders never saw,
    which look like val/eval embeddings rather than memorised training ones."""
    uniq = np.unique(seeds)
    held = set(uniq[::every].tolist()) if every > 0 else set()
    return np.array([s in held for s in seeds.tolist()])


def camera_stats(cam):
    """Per-channel mean/std of x/255 over the train split (float64 accumulation, order-fixed)."""
    c = cam.transpose(1, 0, 2, 3).reshape(3, -1).astype(np.float64)
    return c.mean(1), c.std(1)


def modality_mask(gen, n, p_drop, p_all):
    """Per sample: all present with prob p_all, else each modality dropped with prob p_drop,
    never all four (an all-dropped row keeps one modality chosen uniformly)."""
    keep = (torch.rand(n, 4, generator=gen) >= p_drop).float()
    keep[torch.rand(n, generator=gen) < p_all] = 1.0
    empty = keep.sum(1) == 0
    if empty.any():
        pick = torch.randint(0, 4, (int(empty.sum()),), generator=gen)
        keep[empty.nonzero()[:, 0], pick] = 1.0
    return keep


def cosine_lr(opt, base, step, total, warm=0):
    lr = base * (step + 1) / warm if step < warm else base * 0.5 * (1 + np.cos(np.pi * (step - warm) / max(1, total - warm)))
    for g in opt.param_groups:
        g['lr'] = lr


class Phase1(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.ModuleDict({m: make_encoder(m) for m in MODALITIES})
        self.aux = nn.ModuleDict({m: nn.Linear(64, 4) for m in MODALITIES})
        self.head = make_head('concat')

    def forward(self, xs, mask):
        embs = [self.enc[m](xs[m]) for m in MODALITIES]
        return embs, self.head(embs, mask), [self.aux[m](e) for m, e in zip(MODALITIES, embs)]


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    return [perm[i:i + bs] for i in range(0, n, bs)]


def train_phase1(model, X, y, args, gen):
    n = y.shape[0]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    ce = nn.CrossEntropyLoss()
    steps = args.epochs * ((n + args.batch - 1) // args.batch)
    step = 0
    for ep in range(args.epochs):
        model.train()
        t0, tot, correct = time.time(), 0.0, 0
        for idx in batches(n, args.batch, gen):
            xs = {m: X[m][idx] for m in MODALITIES}
            if args.input_noise > 0:
                xs = {m: v + args.input_noise * torch.randn(v.shape, generator=gen) for m, v in xs.items()}
            mask = modality_mask(gen, len(idx), args.p_drop, args.p_all)
            cosine_lr(opt, args.lr, step, steps, warm=steps // 20)
            _, logits, aux = model(xs, mask)
            loss = ce(logits, y[idx]) + args.aux_weight * sum(ce(a, y[idx]) for a in aux)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y[idx]).sum())
        log(f'phase1 epoch {ep + 1}/{args.epochs} loss {tot / n:.4f} acc(dropout) {correct / n:.4f} {time.time() - t0:.1f}s')


@torch.no_grad()
def embed(model, X, bs=512):
    model.eval()
    n = X[MODALITIES[0]].shape[0]
    out = {m: [] for m in MODALITIES}
    for i in range(0, n, bs):
        for m in MODALITIES:
            out[m].append(model.enc[m](X[m][i:i + bs]))
    return {m: torch.cat(v) for m, v in out.items()}


def train_head(head, E, y, args, gen, kind, mods=MODALITIES, masked=True):
    """AdamW + cosine schedule for a fixed number of steps (batch 256) on cached embeddings,
    with modality dropout and Gaussian embedding noise (robustness to int8 encoder error)."""
    n = y.shape[0]
    opt = torch.optim.AdamW(head.parameters(), lr=args.head_lr, weight_decay=1e-4)
    ce = nn.CrossEntropyLoss()
    scale = {m: float(E[m].std()) for m in mods}
    step, tot, seen = 0, 0.0, 0
    head.train()
    while step < args.head_steps:
        for idx in batches(n, 256, gen):
            if step >= args.head_steps:
                break
            embs = []
            for m in mods:
                e = E[m][idx]
                if args.emb_noise > 0:
                    e = e + args.emb_noise * scale[m] * torch.randn(e.shape, generator=gen)
                embs.append(e)
            cosine_lr(opt, args.head_lr, step, args.head_steps)
            if masked:
                logits = head(embs, modality_mask(gen, len(idx), args.p_drop, args.p_all))
            else:
                logits = head(embs)
            loss = ce(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += float(loss) * len(idx)
            seen += len(idx)
            if step % (args.head_steps // 4) == 0:
                log(f'{kind} step {step}/{args.head_steps} loss {tot / seen:.4f}')
                tot, seen = 0.0, 0


@torch.no_grad()
def evaluate(heads, aux, without, E, y):
    """Accuracy on cached embeddings: each head with all present and with each modality
    missing (its embedding zeroed), single-modality aux classifiers, without_<m> baselines."""
    n = y.shape[0]
    embs = [E[m] for m in MODALITIES]
    res = {'fused': {}, 'missing': {}, 'single': {}, 'without': {}}

    def acc(logits):
        return round(float((logits.argmax(1) == y).float().mean()), 4)

    for kind, h in heads.items():
        h.eval()
        res['fused'][kind] = acc(h(embs, torch.ones(n, 4)))
        res['missing'][kind] = {}
        for i, m in enumerate(MODALITIES):
            mask = torch.ones(n, 4)
            mask[:, i] = 0
            zeroed = [torch.zeros_like(e) if j == i else e for j, e in enumerate(embs)]
            res['missing'][kind][m] = acc(h(zeroed, mask))
    for m in MODALITIES:
        res['single'][m] = acc(aux[m](E[m]))
        others = [E[o] for o in MODALITIES if o != m]
        without[m].eval()
        res['without'][m] = acc(without[m](others))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=20240611)
    ap.add_argument('--epochs', type=int, default=14)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--aux-weight', type=float, default=0.5)
    ap.add_argument('--input-noise', type=float, default=0.0)
    ap.add_argument('--head-steps', type=int, default=1200)
    ap.add_argument('--head-lr', type=float, default=2e-3)
    ap.add_argument('--emb-noise', type=float, default=0.05)
    ap.add_argument('--p-drop', type=float, default=0.3)
    ap.add_argument('--p-all', type=float, default=0.25)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--wd', type=float, default=5e-4)
    ap.add_argument('--head-every', type=int, default=5,
                    help='hold out every N-th train world seed from phase 1 for the phase-2 heads (0: none)')
    ap.add_argument('--refit-concat', type=int, default=1,
                    help='fine-tune the jointly trained concat head on the held-out embeddings')
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    Xtr, ytr, seeds = load_split(args.data, 'train')
    Xva, yva, _ = load_split(args.data, 'val')
    mean, std = camera_stats(Xtr['camera'])
    held = head_split(seeds, args.head_every)
    log(f'train {len(ytr)} (phase 1 {int((~held).sum())}, held out for heads {int(held.sum())}) val {len(yva)} '
        f'label counts {np.bincount(ytr, minlength=4).tolist()}; '
        f'camera mean {np.round(mean, 4).tolist()} std {np.round(std, 4).tolist()}; load {time.time() - t0:.1f}s')

    def to_torch(X):
        out = {m: torch.from_numpy(X[m]) for m in MODALITIES}
        m32, s32 = mean.astype(np.float32).reshape(1, 3, 1, 1), std.astype(np.float32).reshape(1, 3, 1, 1)
        out['camera'] = torch.from_numpy((X['camera'] - m32) / s32)
        return out

    Xtr, Xva = to_torch(Xtr), to_torch(Xva)
    ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)
    idx1 = torch.from_numpy(np.nonzero(~held)[0])
    idx2 = torch.from_numpy(np.nonzero(held)[0]) if held.any() else idx1
    X1 = {m: v[idx1] for m, v in Xtr.items()}
    X2 = {m: v[idx2] for m, v in Xtr.items()}
    del Xtr

    model = Phase1()
    t1 = time.time()
    train_phase1(model, X1, ytr[idx1], args, gen)
    log(f'phase1 {time.time() - t1:.1f}s')

    t2 = time.time()
    E1, E2, Eva = embed(model, X1), embed(model, X2), embed(model, Xva)
    y1, y2 = ytr[idx1], ytr[idx2]
    for p in model.parameters():
        p.requires_grad_(False)
    heads = {'concat': model.head}
    if args.refit_concat:
        for p in model.head.parameters():
            p.requires_grad_(True)
        train_head(model.head, E2, y2, args, gen, 'concat (refit)')
    for kind in ('weighted', 'attention'):
        heads[kind] = make_head(kind)
        train_head(heads[kind], E2, y2, args, gen, kind)
    without = {}
    for m in MODALITIES:
        others = tuple(o for o in MODALITIES if o != m)
        without[m] = ConcatHead(n=3, with_mask=False)
        train_head(without[m], E2, y2, args, gen, f'without_{m}', mods=others, masked=False)
    log(f'phase2 {time.time() - t2:.1f}s')

    metrics = {'val': evaluate(heads, model.aux, without, Eva, yva),
               'heads_split': evaluate(heads, model.aux, without, E2, y2),
               'encoder_split': evaluate(heads, model.aux, without, E1, y1)}
    log('torch val', json.dumps(metrics['val']))

    t3 = time.time()
    export.export_all(args.out, model, heads, without, Xva, Eva)
    log(f'export {time.time() - t3:.1f}s')

    meta = {
        'camera': {'mean': [float(v) for v in mean], 'std': [float(v) for v in std]},
        'args': vars(args),
        'samples': {'train': int(len(ytr)), 'phase1': int(len(idx1)), 'heads': int(len(idx2)), 'val': int(len(yva))},
        'torch': torch.__version__, 'numpy': np.__version__,
        'metrics_torch': metrics,
    }
    import onnx
    meta['onnx'] = onnx.__version__
    with open(os.path.join(args.out, 'train-meta.json'), 'w') as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write('\n')
    log(f'done {time.time() - t0:.1f}s')


if __name__ == '__main__':
    main()
