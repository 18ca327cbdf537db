// Tiny protobuf walker that lists the nodes of an ONNX ModelProto (op_type + domain) without any
// protobuf dependency. Used to check what ORT really executes after optimisation.
// Field numbers (onnx.proto): ModelProto.graph = 7; GraphProto.node = 1;
// NodeProto.op_type = 4, NodeProto.domain = 7.

export interface OnnxNode { opType: string; domain: string }

interface Field { no: number; wire: number; start: number; end: number }

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (p >= end) throw new Error('truncated varint');
      const b = buf[p++] ?? 0;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
  };
  while (p < end) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    const s = p;
    if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varint();
      yield { no, wire, start: p, end: p + len };
      p += len;
      continue;
    } else throw new Error(`unsupported wire type ${wire}`);
    yield { no, wire, start: s, end: p };
  }
}

const text = new TextDecoder();

export function listNodes(model: Uint8Array): OnnxNode[] {
  const nodes: OnnxNode[] = [];
  for (const g of fields(model, 0, model.length)) {
    if (g.no !== 7 || g.wire !== 2) continue;
    for (const n of fields(model, g.start, g.end)) {
      if (n.no !== 1 || n.wire !== 2) continue;
      let opType = '';
      let domain = '';
      for (const f of fields(model, n.start, n.end)) {
        if (f.wire !== 2) continue;
        if (f.no === 4) opType = text.decode(model.subarray(f.start, f.end));
        else if (f.no === 7) domain = text.decode(model.subarray(f.start, f.end));
      }
      nodes.push({ opType, domain });
    }
  }
  return nodes;
}

export function opHistogram(model: Uint8Array): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of listNodes(model)) {
    const k = n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}::${n.opType}`;
    h[k] = (h[k] ?? 0) + 1;
  }
  return h;
}
