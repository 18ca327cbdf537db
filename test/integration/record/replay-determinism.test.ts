import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { replayCommand } from '../../../src/cli/replay.ts';
import { parseConfig, parseYaml } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { openMcapLog } from '../../../src/record/mcap/open-log.ts';
import { replayLog } from '../../../src/record/replay-run.ts';
import { assertReplayEquals, replayToJsonl, type ReplayOutput } from './assert-replay.ts';
import { replayRegistry } from './replay-registry.ts';

/**
 * The committed simulator log (test/fixtures/replay/SOURCE.md) replayed through the demo pipeline
 * with the committed int8 models: at 1× (paced on the wall clock), 10× and max speed, three times
 * each, the results are the same bytes — and the golden file's.
 */
const FIXTURE = 'test/fixtures/replay/sim-cell__demo-4s-80x60.mcap';
const GOLDEN = 'test/fixtures/replay/sim-cell__demo-4s-80x60.golden.jsonl';

describe('deterministic replay (virtual clock driven by the log)', () => {
  it('1×, 10× and max, three times each → byte-identical results JSONL, equal to the golden', async () => {
    const registry = replayRegistry();
    // The three 1× replays run concurrently: each spends most of its time waiting for the wall
    // clock, and sharing the CPU perturbs their timing — which must not change a byte.
    const realTime = await Promise.all([0, 1, 2].map(() => replayToJsonl(FIXTURE, { speed: 1, registry })));
    const tenX: ReplayOutput[] = [];
    for (let i = 0; i < 3; i++) tenX.push(await replayToJsonl(FIXTURE, { speed: 10, registry }));
    const max: ReplayOutput[] = [await assertReplayEquals(FIXTURE, GOLDEN, { registry })];
    // The CLI path: `sensorium replay <log> --speed max --out results.jsonl`.
    const out = join(mkdtempSync(join(tmpdir(), 'sensorium-replay-')), 'results.jsonl');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await replayCommand(FIXTURE, { speed: 'max', out, progress: false }, registry)).toBe(0);
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(/accuracy vs sim\/cell seed=7/);
    } finally {
      stdout.mockRestore();
    }
    max.push({ jsonl: readFileSync(out, 'utf8'), summary: max[0]!.summary });
    max.push(await replayToJsonl(FIXTURE, { speed: 'max', registry }));

    const reference = max[0]!.jsonl;
    expect(reference.split('\n').length).toBeGreaterThan(30);
    for (const [speed, runs] of [['1x', realTime], ['10x', tenX], ['max', max]] as const) {
      runs.forEach((r, i) => expect(r.jsonl === reference, `${speed} run ${i + 1} differs`).toBe(true));
    }
    // Pacing really happened: 1× took at least the log's span on the wall clock, 10× a tenth of it.
    const span = realTime[0]!.summary.logSpanS;
    for (const r of realTime) expect(r.summary.wallS).toBeGreaterThanOrEqual(span * 0.98);
    for (const r of tenX) expect(r.summary.wallS).toBeGreaterThanOrEqual((span / 10) * 0.98);
    const s = max[0]!.summary;
    expect(s.drops.inference).toBe(0);
    expect(s.sets).toBe(s.results);
    expect(s.accuracy?.settled.accuracy).toBeGreaterThanOrEqual(0.9);
    console.log(`replay: ${s.results} results, accuracy ${s.accuracy?.all.accuracy} (settled ${s.accuracy?.settled.accuracy}); wall 1× ${realTime.map((r) => r.summary.wallS).join('/')} s, 10× ${tenX.map((r) => r.summary.wallS).join('/')} s, max ${s.wallS} s`);
  }, 120_000);

  it('with a preprocessing helper thread: the same bytes as without (the split between threads changes nothing)', async () => {
    const reader = await openMcapLog(FIXTURE);
    const embedded = reader.info.config;
    await reader.close();
    expect(embedded).toBeDefined();
    const config = parseConfig(parseYaml(embedded!.yaml, FIXTURE));
    config.inference.preprocessThreads = 1;
    let jsonl = '';
    await replayLog({ log: FIXTURE, registry: replayRegistry(), speed: 'max', logger: silentLogger, config: { config, dir: resolve(embedded!.dir ?? '.') }, onResult: (r) => (jsonl += `${JSON.stringify(r)}\n`) });
    expect(jsonl.split('\n').length).toBeGreaterThan(30);
    expect(jsonl === (await replayToJsonl(FIXTURE, { registry: replayRegistry() })).jsonl).toBe(true);
  }, 60_000);
});
