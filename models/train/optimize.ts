// ORT graph-optimisation dump: `node --import tsx models/train/optimize.ts <in.onnx> <out.onnx> [basic|extended|all]`.
// At 'basic' (the default) this is constant folding and hardware-independent clean-ups, the same
// pass as ORT's quant_pre_process; its output is what qdq.py quantizes. Higher levels produce
// hardware-specific graphs (NCHWc) and are for inspection only.
import { createSession } from './ort-session.ts';

const [input, output, level = 'basic'] = process.argv.slice(2);
if (input === undefined || output === undefined || !['basic', 'extended', 'all'].includes(level)) {
  console.error('usage: optimize.ts <in.onnx> <out.onnx> [basic|extended|all]');
  process.exit(2);
}
const session = await createSession(input, {
  graphOptimizationLevel: level as 'basic' | 'extended' | 'all',
  optimizedModelFilePath: output,
});
await session.release();
