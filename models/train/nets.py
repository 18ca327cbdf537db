"""Network definitions for the reference model set (see CONTRACT.md for names and shapes).

Encoders map one modality to a 64-d embedding `emb`. Heads take the four embeddings plus the
modality mask (order camera, depth, lidar, eeg; 1 = present) and return logits; the export
wrappers in export.py add the softmax. Every head zeroes missing embeddings with `Where` (not
`Mul`, so even NaN garbage in a missing slot cannot leak into the output).
"""
import math

import torch
from torch import nn

MODALITIES = ('camera', 'depth', 'lidar', 'eeg')
EMB = 64
K = 4
# Additive logit offset for absent modalities: exp(-1e4) underflows to exactly 0 in float32.
NEG = 1e4


# Dropout on the flattened features before each encoder's FC (training only; absent from the
# export). The FCs are the bulk of the parameters and otherwise memorise the training split
# (the camera encoder reached 0.97 4-class train accuracy while it can only see one factor).
ENC_DROPOUT = 0.3


class ImageEncoder(nn.Module):
    """4x Conv3x3/2 (16-32-64-64) + BN + ReLU, flatten (position = arm pose matters), FC->64."""

    def __init__(self, cin):
        super().__init__()
        layers, c = [], cin
        for co in (16, 32, 64, 64):
            layers += [nn.Conv2d(c, co, 3, 2, 1, bias=False), nn.BatchNorm2d(co), nn.ReLU()]
            c = co
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(ENC_DROPOUT)
        self.fc = nn.Linear(64 * 4 * 5, EMB)  # 60x80 -> 30x40 -> 15x20 -> 8x10 -> 4x5

    def forward(self, x):
        return self.fc(self.drop(torch.flatten(self.features(x), 1)))


class ScanEncoder(nn.Module):
    """4x Conv1d (k7,5,5,3 /2) + BN + ReLU, flatten (bearing matters; GAP would be shift-invariant), FC->64."""

    def __init__(self):
        super().__init__()
        layers, c = [], 1
        for co, k in ((16, 7), (32, 5), (32, 5), (32, 3)):
            layers += [nn.Conv1d(c, co, k, 2, k // 2, bias=False), nn.BatchNorm1d(co), nn.ReLU()]
            c = co
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(ENC_DROPOUT)
        self.fc = nn.Linear(32 * 23, EMB)  # 360 -> 180 -> 90 -> 45 -> 23

    def forward(self, x):
        return self.fc(self.drop(torch.flatten(self.features(x), 1)))


class EegEncoder(nn.Module):
    """3x Conv1d (k7,5,5 /2; 32-64-64) + BN + ReLU, global average pool, FC->64."""

    def __init__(self):
        super().__init__()
        layers, c = [], 8
        for co, k in ((32, 7), (64, 5), (64, 5)):
            layers += [nn.Conv1d(c, co, k, 2, k // 2, bias=False), nn.BatchNorm1d(co), nn.ReLU()]
            c = co
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool1d(1)  # -> GlobalAveragePool -> QLinearGlobalAveragePool
        self.drop = nn.Dropout(ENC_DROPOUT)
        self.fc = nn.Linear(64, EMB)

    def forward(self, x):
        return self.fc(self.drop(torch.flatten(self.pool(self.features(x)), 1)))


def make_encoder(m):
    return {'camera': lambda: ImageEncoder(3), 'depth': lambda: ImageEncoder(1),
            'lidar': ScanEncoder, 'eeg': EegEncoder}[m]()


def masked_stack(embs, mask):
    """[B,4,64] with absent modalities replaced by exact zeros."""
    e = torch.stack(embs, 1)
    return torch.where(mask.unsqueeze(-1) > 0.5, e, torch.zeros((), dtype=e.dtype))


class ConcatHead(nn.Module):
    """(a) joint representation: concat(masked embeddings, mask) -> FC128 -> ReLU -> FC4."""

    def __init__(self, n=4, with_mask=True):
        super().__init__()
        self.with_mask = with_mask
        self.fc1 = nn.Linear(n * EMB + (n if with_mask else 0), 128)
        self.fc2 = nn.Linear(128, K)

    def forward(self, embs, mask=None):
        if self.with_mask:
            z = torch.cat([masked_stack(embs, mask).flatten(1), mask], 1)
        else:
            z = torch.cat(embs, 1)
        return self.fc2(torch.relu(self.fc1(z)))


class WeightedHead(nn.Module):
    """(b) coordinated representation: per-modality projection, learned modality weights
    softmax-normalised over the *present* modalities, weighted sum -> FC64 -> ReLU -> FC4."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(4))
        self.proj = nn.ModuleList(nn.Linear(EMB, EMB) for _ in range(4))
        self.fc1 = nn.Linear(EMB, 64)
        self.fc2 = nn.Linear(64, K)

    def forward(self, embs, mask):
        e = masked_stack(embs, mask)
        p = torch.stack([self.proj[i](e[:, i]) for i in range(4)], 1)          # [B,4,64]
        alpha = torch.softmax(self.w.unsqueeze(0) + (mask - 1.0) * NEG, 1)     # 0 for absent
        z = (alpha.unsqueeze(-1) * p).sum(1)
        return self.fc2(torch.relu(self.fc1(z)))


class AttentionHead(nn.Module):
    """(c) cross-modal attention over 4 modality tokens; absent modalities are excluded as keys
    (additive -1e4 on the logits) and from the mean-pool. Written with MatMul/Softmax by hand."""

    def __init__(self, d=64, heads=4):
        super().__init__()
        self.d, self.h, self.dk = d, heads, d // heads
        self.proj = nn.ModuleList(nn.Linear(EMB, d) for _ in range(4))
        self.mod_emb = nn.Parameter(torch.randn(4, d) * 0.02)
        self.ln1 = nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, 2 * d)
        self.ff2 = nn.Linear(2 * d, d)
        self.out = nn.Linear(d, K)

    def forward(self, embs, mask):
        e = masked_stack(embs, mask)
        x = torch.stack([self.proj[i](e[:, i]) for i in range(4)], 1) + self.mod_emb  # [B,4,d]
        hdn = self.ln1(x)

        def split(t):  # [B,4,d] -> [B,h,4,dk]; -1 keeps the batch dimension dynamic in ONNX
            return t.reshape(-1, 4, self.h, self.dk).transpose(1, 2)

        q, k, v = split(self.q(hdn)), split(self.k(hdn)), split(self.v(hdn))
        logits = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(self.dk))
        logits = logits + ((mask - 1.0) * NEG).reshape(-1, 1, 1, 4)
        att = torch.softmax(logits, -1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(-1, 4, self.d)
        x = x + self.o(y)
        x = x + self.ff2(torch.relu(self.ff1(self.ln2(x))))
        m = mask.unsqueeze(-1)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.out(pooled)


def make_head(kind):
    return {'concat': ConcatHead, 'weighted': WeightedHead, 'attention': AttentionHead}[kind]()
