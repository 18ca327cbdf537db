"""Hand-written static QDQ quantizer for the encoders (onnx 1.12 helper API only).

    qdq.py augment  <pre.onnx> <aug.onnx> <tensors.json>
        expose every float activation (graph inputs + node outputs) as a graph output, so that
        calibrate.ts can run the model in onnxruntime-node and record min/max per tensor.
    qdq.py quantize <pre.onnx> <ranges.json> <out.onnx> [--act u8|s8] [--weight-max 63]
        write the QDQ model.

<pre.onnx> is the ORT 'basic' optimisation dump of the float export (optimize.ts). The scheme
mirrors ORT's own QDQ quantizer (notes/onnx-models.md section 3.2), so that ORT fuses the
result into int8 kernels (QLinearConv, QLinearGlobalAveragePool, QGemm):

* weights: int8 symmetric per output channel (DQ axis 0 for Conv and Gemm with transB=1, axis 1
  for Gemm transB=0 and MatMul), on a 7-bit grid [-63, 63] by default ("reduce range"). Reason:
  on x86 CPUs without VNNI (AVX2 only, like this build machine), MLAS's u8s8 kernels use
  VPMADDUBSW, which adds pairs of u8*s8 products into a *saturating* int16. With full-range
  weights a pair reaches 2*255*127 = 64770 and saturates: measured here, the fused int8 LiDAR
  encoder then had 50 % relative RMS error against 1.3 % for the same QDQ graph run unfused.
  With |w| <= 63 a pair is at most 32130 < 32767, and the fused and unfused results agree
  exactly. (ORT docs: "quantization on x86-64 ... saturation"; --weight-max 127 restores the
  full range for VNNI/ARM-only deployments);
* bias: int32, scale s_x * s_w[c], zero point 0;
* activations: per tensor, asymmetric uint8 (or int8 with --act s8) from the calibrated range,
  which is always widened to include 0;
* a Relu after Conv/Gemm/MatMul is removed and the producer's output Q takes the Relu's range
  (min 0, so zp = qmin);
* Flatten/Reshape/Transpose/Squeeze/Unsqueeze/MaxPool share their input's qparams (ORT drops
  those Q/DQ pairs);
* anything else (Softmax, LayerNorm, reductions, ...) stays float; a Gemm/MatMul whose output
  is not consumed by a quantized op (e.g. the embedding graph output) gets no output Q, and ORT
  runs it as a float-output QGemm.
"""
import json
import sys
from collections import defaultdict

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

COMPUTE = {'Conv', 'Gemm', 'MatMul'}          # int8 weights from initializers
POOL = {'GlobalAveragePool', 'AveragePool'}   # own output qparams
SHARED = {'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool'}  # input's qparams
FOLDABLE_INTO = {'Conv', 'Gemm', 'MatMul'}


def clean_opsets(model):
    """Keep only the opset imports the graph uses (ORT's dump lists every domain it knows)."""
    used = {n.domain for n in model.graph.node}
    keep = [o for o in model.opset_import if o.domain in used or o.domain == '']
    del model.opset_import[:]
    model.opset_import.extend(keep)


def float_activations(model):
    g = model.graph
    inits = {i.name for i in g.initializer}
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        types[vi.name] = vi.type.tensor_type.elem_type
    names = [i.name for i in g.input if i.name not in inits and types.get(i.name) == TensorProto.FLOAT]
    for n in g.node:
        for o in n.output:
            if o and types.get(o) == TensorProto.FLOAT:
                names.append(o)
    return names


def augment(pre, aug, tensors_json):
    model = onnx.load(pre)
    clean_opsets(model)
    names = float_activations(model)
    outs = {o.name for o in model.graph.output}
    for name in names:
        if name not in outs:
            model.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(model, aug)
    with open(tensors_json, 'w') as f:
        json.dump(names, f, indent=1)
        f.write('\n')


class Quantizer:
    def __init__(self, model, ranges, act, wmax):
        self.wmax = wmax
        self.model = model
        self.g = model.graph
        self.ranges = ranges
        self.qmin, self.qmax, self.zp_type = (0, 255, TensorProto.UINT8) if act == 'u8' else (-128, 127, TensorProto.INT8)
        self.inits = {i.name: numpy_helper.to_array(i) for i in self.g.initializer}
        self.new_inits = []
        self.qparams = {}   # activation tensor -> (scale_name, zp_name, scale_value)

    # ----- helpers -------------------------------------------------------------------------
    def add_init(self, name, arr):
        self.new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def act_qparams(self, tensor):
        if tensor in self.qparams:
            return self.qparams[tensor]
        if tensor not in self.ranges:
            raise KeyError(f'no calibration range for {tensor}')
        lo, hi = (float(v) for v in self.ranges[tensor])
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = np.float32((hi - lo) / (self.qmax - self.qmin)) if hi > lo else np.float32(1.0)
        zp = int(np.clip(np.round(self.qmin - lo / float(scale)), self.qmin, self.qmax))
        np_zp = np.array(zp, dtype=np.uint8 if self.zp_type == TensorProto.UINT8 else np.int8)
        sname = self.add_init(f'{tensor}_scale', np.array(scale, dtype=np.float32))
        zname = self.add_init(f'{tensor}_zero_point', np_zp)
        self.qparams[tensor] = (sname, zname, scale)
        return self.qparams[tensor]

    def weight_dq(self, wname, axis, nodes):
        w = self.inits[wname].astype(np.float32)
        red = tuple(i for i in range(w.ndim) if i != axis)
        amax = np.abs(w).max(axis=red)
        scale = np.where(amax > 0, amax / self.wmax, 1.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -self.wmax, self.wmax).astype(np.int8)
        self.add_init(f'{wname}_quantized', q)
        self.add_init(f'{wname}_quantized_scale', scale)
        self.add_init(f'{wname}_quantized_zero_point', np.zeros(scale.shape, np.int8))
        nodes.append(helper.make_node('DequantizeLinear', [f'{wname}_quantized', f'{wname}_quantized_scale',
                                                           f'{wname}_quantized_zero_point'],
                                      [f'{wname}_dequantized'], name=f'{wname}_DequantizeLinear', axis=axis))
        return f'{wname}_dequantized', scale

    def bias_dq(self, bname, x_scale, w_scale, nodes):
        b = self.inits[bname].astype(np.float32)
        scale = (np.float32(x_scale) * w_scale).astype(np.float32)
        q = np.round(b.astype(np.float64) / scale.astype(np.float64))
        assert np.abs(q).max(initial=0) < 2 ** 31 - 1, f'bias {bname} overflows int32'
        self.add_init(f'{bname}_quantized', q.astype(np.int32))
        self.add_init(f'{bname}_quantized_scale', scale)
        self.add_init(f'{bname}_quantized_zero_point', np.zeros(scale.shape, np.int32))
        nodes.append(helper.make_node('DequantizeLinear', [f'{bname}_quantized', f'{bname}_quantized_scale',
                                                           f'{bname}_quantized_zero_point'],
                                      [f'{bname}_dequantized'], name=f'{bname}_DequantizeLinear', axis=0))
        return f'{bname}_dequantized'

    def qdq_pair(self, tensor, nodes):
        sname, zname, _ = self.act_qparams(tensor)
        nodes.append(helper.make_node('QuantizeLinear', [tensor, sname, zname], [f'{tensor}_QuantizeLinear_Output'],
                                      name=f'{tensor}_QuantizeLinear'))
        nodes.append(helper.make_node('DequantizeLinear', [f'{tensor}_QuantizeLinear_Output', sname, zname],
                                      [f'{tensor}_DequantizeLinear_Output'], name=f'{tensor}_DequantizeLinear'))

    # ----- passes --------------------------------------------------------------------------
    def fold_relu(self):
        """Drop Relu after Conv/Gemm/MatMul: the producer writes the Relu's output tensor."""
        consumers = defaultdict(list)
        for n in self.g.node:
            for i in n.input:
                consumers[i].append(n)
        producer = {o: n for n in self.g.node for o in n.output}
        outs = {o.name for o in self.g.output}
        keep = []
        for n in self.g.node:
            if n.op_type == 'Relu':
                p = producer.get(n.input[0])
                if p is not None and p.op_type in FOLDABLE_INTO and len(consumers[n.input[0]]) == 1 \
                        and n.input[0] not in outs and n.output[0] in self.ranges:
                    p.output[0] = n.output[0]
                    continue
            keep.append(n)
        del self.g.node[:]
        self.g.node.extend(keep)

    def is_weighted(self, n):
        return n.op_type in COMPUTE and len(n.input) > 1 and n.input[1] in self.inits

    def run(self):
        self.fold_relu()
        g = self.g
        # Which activation tensors are quantized: inputs of weighted ops and pools, and
        # inputs/outputs of shape ops whose input is quantized (forward, topological order).
        quant_in = set()          # tensors that get a Q/DQ pair
        shared_from = {}          # shape-op output -> input whose qparams it shares
        quant_nodes = set()
        for idx, n in enumerate(g.node):
            if self.is_weighted(n) or n.op_type in POOL:
                quant_in.add(n.input[0])
                quant_nodes.add(idx)
        changed = True
        while changed:            # shape ops fed by a quantized tensor (chains of them too)
            changed = False
            for idx, n in enumerate(g.node):
                if n.op_type in SHARED and idx not in quant_nodes and self.produces_quantized(n.input[0], quant_in, quant_nodes):
                    quant_nodes.add(idx)
                    quant_in.add(n.input[0])
                    if self.consumed_by_quant(n.output[0], quant_nodes):
                        shared_from[n.output[0]] = n.input[0]
                    changed = True
        # Resolve shared qparams (after the ranges of their sources).
        for out, src in shared_from.items():
            while src in shared_from:
                src = shared_from[src]
            self.qparams[out] = self.act_qparams(src)

        nodes = []
        graph_inputs = [i.name for i in g.input]
        for name in graph_inputs:
            if name in quant_in:
                self.qdq_pair(name, nodes)
        renamed = {t: f'{t}_DequantizeLinear_Output' for t in quant_in}
        for idx, n in enumerate(g.node):
            new = onnx.NodeProto()
            new.CopyFrom(n)
            if idx in quant_nodes:
                new.input[0] = renamed.get(n.input[0], n.input[0])
                if self.is_weighted(n):
                    _, _, xs = self.act_qparams(n.input[0])
                    if n.op_type == 'Conv':
                        axis = 0
                    elif n.op_type == 'Gemm':
                        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
                        assert attrs.get('transA', 0) == 0 and attrs.get('alpha', 1.0) == 1.0 and attrs.get('beta', 1.0) == 1.0
                        axis = 0 if attrs.get('transB', 0) == 1 else 1
                    else:
                        axis = self.inits[n.input[1]].ndim - 1
                    wname, wscale = self.weight_dq(n.input[1], axis, nodes)
                    new.input[1] = wname
                    if len(n.input) > 2 and n.input[2]:
                        new.input[2] = self.bias_dq(n.input[2], xs, wscale, nodes)
            else:
                # Float consumers of a quantized tensor read the DQ output too (single Q per producer).
                for k, i in enumerate(n.input):
                    if i in renamed:
                        new.input[k] = renamed[i]
            nodes.append(new)
            for o in n.output:
                if o in quant_in:
                    self.qdq_pair(o, nodes)
        used = set()
        for n in nodes:
            used.update(n.input)
        kept_inits = [i for i in g.initializer if i.name in used]
        del g.node[:]
        g.node.extend(nodes)
        del g.initializer[:]
        g.initializer.extend(kept_inits + [i for i in self.new_inits if i.name in used])
        del g.value_info[:]
        return self.model

    def produces_quantized(self, tensor, quant_in, quant_nodes):
        """True if `tensor` is (or will be) carried as a quantized value: it already has a Q/DQ
        pair, or it is the output of a quantized compute/pool/shape op."""
        if tensor in quant_in:
            return True
        for idx, n in enumerate(self.g.node):
            if tensor in n.output:
                return idx in quant_nodes and (self.is_weighted(n) or n.op_type in POOL or n.op_type in SHARED)
        return False

    def consumed_by_quant(self, tensor, quant_nodes):
        return any(tensor in n.input and (self.is_weighted(n) or n.op_type in POOL or n.op_type in SHARED)
                   for n in self.g.node)


def quantize(pre, ranges_json, out, act='u8', wmax=63):
    model = onnx.load(pre)
    clean_opsets(model)
    with open(ranges_json) as f:
        ranges = json.load(f)
    q = Quantizer(model, ranges, act, wmax).run()
    onnx.checker.check_model(q)
    onnx.save(q, out)


def main(argv):
    if len(argv) >= 4 and argv[0] == 'augment':
        augment(argv[1], argv[2], argv[3])
    elif len(argv) >= 4 and argv[0] == 'quantize':
        act, wmax = 'u8', 63
        if '--act' in argv:
            act = argv[argv.index('--act') + 1]
            assert act in ('u8', 's8'), act
        if '--weight-max' in argv:
            wmax = int(argv[argv.index('--weight-max') + 1])
            assert 1 <= wmax <= 127, wmax
        quantize(argv[1], argv[2], argv[3], act, wmax)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main(sys.argv[1:])
