"""Float ONNX export (opset 17, dynamic batch, constant folding, BN folded into Conv) plus
torch reference outputs for the ORT parity check (`parity.ts`)."""
import io
import os

import numpy as np
import onnx
import torch
from torch import nn

from nets import MODALITIES

OPSET = 17
INPUT_NAME = {'camera': 'image', 'depth': 'depth', 'lidar': 'scan', 'eeg': 'eeg'}
PARITY_N = 64


class EncoderExport(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, x):
        return self.enc(x)


class HeadExport(nn.Module):
    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, emb_camera, emb_depth, emb_lidar, emb_eeg, mask):
        return torch.softmax(self.head([emb_camera, emb_depth, emb_lidar, emb_eeg], mask), 1)


class SingleExport(nn.Module):
    def __init__(self, aux):
        super().__init__()
        self.aux = aux

    def forward(self, emb):
        return torch.softmax(self.aux(emb), 1)


class WithoutExport(nn.Module):
    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, a, b, c):
        return torch.softmax(self.head([a, b, c]), 1)


def _export(module, inputs, input_names, output_name, path):
    module.eval()
    buf = io.BytesIO()
    dyn = {n: {0: 'batch'} for n in input_names + [output_name]}
    torch.onnx.export(module, tuple(inputs), buf, opset_version=OPSET, input_names=input_names,
                      output_names=[output_name], dynamic_axes=dyn, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto)
    with open(path, 'wb') as f:
        f.write(buf.getvalue())
    # Reference outputs for the ORT-vs-torch parity check.
    pdir = os.path.join(os.path.dirname(path), 'parity', os.path.basename(path)[:-5])
    os.makedirs(pdir, exist_ok=True)
    with torch.no_grad():
        out = module(*inputs)
    for name, t in zip(input_names, inputs):
        np.save(os.path.join(pdir, f'in.{name}.npy'), t.numpy())
    np.save(os.path.join(pdir, f'out.{output_name}.npy'), out.numpy())


def parity_mask(n):
    """All present, then each modality missing, then random masks with >=1 present (fixed)."""
    g = torch.Generator().manual_seed(7)
    mask = (torch.rand(n, 4, generator=g) > 0.4).float()
    mask[mask.sum(1) == 0, 0] = 1.0
    mask[:8] = 1.0
    for i in range(4):
        mask[8 + i] = 1.0
        mask[8 + i, i] = 0.0
    return mask


def export_all(out, model, heads, without, Xva, Eva):
    n = min(PARITY_N, Xva[MODALITIES[0]].shape[0])
    for m in MODALITIES:
        _export(EncoderExport(model.enc[m]), [Xva[m][:n]], [INPUT_NAME[m]], 'emb', os.path.join(out, f'enc_{m}.onnx'))
    mask = parity_mask(n)
    embs = [torch.where(mask[:, i:i + 1] > 0.5, Eva[m][:n], torch.zeros(())) for i, m in enumerate(MODALITIES)]
    for kind, h in heads.items():
        _export(HeadExport(h), embs + [mask], [f'emb_{m}' for m in MODALITIES] + ['mask'], 'probs',
                os.path.join(out, f'head_{kind}.onnx'))
    for m in MODALITIES:
        _export(SingleExport(model.aux[m]), [Eva[m][:n]], [f'emb_{m}'], 'probs', os.path.join(out, f'single_{m}.onnx'))
        others = [o for o in MODALITIES if o != m]
        _export(WithoutExport(without[m]), [Eva[o][:n] for o in others], [f'emb_{o}' for o in others], 'probs',
                os.path.join(out, f'without_{m}.onnx'))
