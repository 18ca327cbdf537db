import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rules live in eslint.config.js; this proves they fire (a rule that silently stopped
// matching would let src/ grow vendor imports again).
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleHits(filePath: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return (res?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import layering (eslint no-restricted-imports)', () => {
  it('src/core imports nothing of ours', async () => {
    expect(await ruleHits('src/core/x.ts', "import { Aligner } from '../align/aligner.ts';\nexport const a = Aligner;\n")).toHaveLength(1);
    expect(await ruleHits('src/core/x.ts', "import { msToNs } from './time.ts';\nexport const a = msToNs;\n")).toHaveLength(0);
  });

  it('src/ never imports devices/ or models/ (except the composition root)', async () => {
    const code = "import { x } from '../../devices/sim/driver.ts';\nexport const a = x;\n";
    expect(await ruleHits('src/align/x.ts', code)).toHaveLength(1);
    expect(await ruleHits('src/main.ts', "import { x } from '../devices/index.ts';\nexport const a = x;\n")).toHaveLength(0);
  });

  it('vendor SDKs only in their adapter file', async () => {
    expect(await ruleHits('src/pipeline/x.ts', "import * as ort from 'onnxruntime-node';\nexport const a = ort;\n")).toHaveLength(1);
    expect(await ruleHits('src/inference/onnx-backend.ts', "import * as ort from 'onnxruntime-node';\nexport const a = ort;\n")).toHaveLength(0);
    expect(await ruleHits('src/pipeline/x.ts', "import mqtt from 'mqtt';\nexport const a = mqtt;\n")).toHaveLength(1);
    expect(await ruleHits('src/publish/mqtt-publisher.ts', "import mqtt from 'mqtt';\nexport const a = mqtt;\n")).toHaveLength(0);
  });

  it('devices/ and models/preprocess import only src/core', async () => {
    expect(await ruleHits('devices/sim/x.ts', "import { Aligner } from '../../src/align/aligner.ts';\nexport const a = Aligner;\n")).toHaveLength(1);
    expect(await ruleHits('devices/sim/x.ts', "import { msToNs } from '../../src/core/time.ts';\nexport const a = msToNs;\n")).toHaveLength(0);
    expect(await ruleHits('models/preprocess/x.ts', "import mqtt from 'mqtt';\nexport const a = mqtt;\n")).toHaveLength(1);
  });
});
