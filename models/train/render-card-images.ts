/**
 * Figures for the reference model card, written to models/reference/card/:
 *   camera.png  overhead RGB at one instant, robot running (left) and paused (right)
 *   depth.png   the same instant's Z16 depth as a colour map (turbo, near = red), invalid = black
 *   lidar.png   LiDAR scans top-down at one instant, operator engaged (left) and resting (right)
 *   eeg.png     8 channels over 6 s spanning an engaged → resting change (white line): top raw
 *               with each channel's DC removed, bottom after the model's 1–40 Hz chain
 *
 *   node --import tsx models/train/render-card-images.ts [--out models/reference/card] [--seed 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANNELS, SimWorld, T_REF_NS, eegWindowAt, renderFrame, sliceAt } from '../../devices/sim/index.ts';
import { createEegPreprocessor } from '../preprocess/index.ts';
import { encodePng } from './png.ts';

type Rgb = readonly [number, number, number];

class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [0, 0, 0],
  ) {
    this.data = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) this.data.set(background, 3 * p);
  }

  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.data.set(c, 3 * (yi * this.width + xi));
  }

  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= n; i++) this.set(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, c);
  }

  disc(x: number, y: number, r: number, c: Rgb): void {
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) this.set(x + dx, y + dy, c);
  }

  blit(src: Uint8Array, w: number, h: number, ox: number, oy: number): void {
    for (let y = 0; y < h; y++) this.data.set(src.subarray(y * w * 3, (y + 1) * w * 3), 3 * ((oy + y) * this.width + ox));
  }

  png(): Buffer {
    return encodePng(this.width, this.height, this.data);
  }
}

/** Google's Turbo colour map, polynomial approximation (Mikhailov 2019, Apache-2.0). */
function turbo(x: number): Rgb {
  const t = Math.min(1, Math.max(0, x));
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  const c = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(r), c(g), c(b)];
}

/** A settled instant (≥ 1 s from any change) near T_REF + 10 s. */
function settledInstant(world: SimWorld): bigint {
  let t = T_REF_NS + 10_000_000_000n;
  while (world.timeline.distanceToChange(t) < 1_500_000_000n) t += 250_000_000n;
  return t;
}

function cameraFigure(world: SimWorld, t: bigint): Canvas {
  const c = new Canvas(1280, 480);
  for (const [i, robot] of (['running', 'paused'] as const).entries()) {
    c.blit(renderFrame(world, 'camera', t, 0, { overrides: { robot } }).data, 640, 480, 640 * i, 0);
  }
  return c;
}

function depthFigure(world: SimWorld, t: bigint): Canvas {
  const c = new Canvas(1280, 480);
  for (const [i, robot] of (['running', 'paused'] as const).entries()) {
    const d = renderFrame(world, 'depth', t, 0, { overrides: { robot } }).data;
    for (let p = 0; p < d.length; p++) {
      const mm = d[p] as number;
      // 0.9 m (top of the parked arm) → red … 3.0 m (floor) → blue.
      if (mm > 0) c.set(640 * i + (p % 640), Math.floor(p / 640), turbo(1 - (mm - 900) / 2200));
    }
  }
  return c;
}

function lidarFigure(world: SimWorld, t: bigint): Canvas {
  const pxPerM = 60;
  const { room, lidar } = world.layout;
  const pw = Math.round((room.x1 - room.x0) * pxPerM) + 20;
  const ph = Math.round((room.y1 - room.y0) * pxPerM) + 20;
  const c = new Canvas(2 * pw + 10, ph, [20, 20, 24]);
  const slice = world.lidarStatic();
  for (const [i, operator] of (['engaged', 'resting'] as const).entries()) {
    const ox = i * (pw + 10);
    const X = (x: number): number => ox + 10 + (x - room.x0) * pxPerM;
    const Y = (y: number): number => 10 + (room.y1 - y) * pxPerM;
    // Ground truth at 0.2 m — static in grey, moving (people, AGV) in green — then the scan's
    // returns in orange.
    const moving = sliceAt(world.lidarSolidsAt(t + 50_000_000n, { operator }), lidar.z);
    for (const [sl, colour] of [[slice, [90, 90, 96]], [moving, [60, 200, 90]]] as const) {
      for (const r of sl.rects) for (let x = r.x0; x <= r.x1; x += 1 / pxPerM) for (let y = r.y0; y <= r.y1; y += 1 / pxPerM) c.set(X(x), Y(y), colour);
      for (const cc of sl.circles) c.disc(X(cc.x), Y(cc.y), Math.max(1, cc.r * pxPerM), colour);
    }
    const scan = renderFrame(world, 'lidar', t, 0, { overrides: { operator } });
    scan.ranges.forEach((r, b) => {
      if (r <= 0) return;
      const a = lidar.yaw + b * scan.angleIncrement;
      const x = lidar.x + r * Math.cos(a);
      const y = lidar.y + r * Math.sin(a);
      c.line(X(lidar.x), Y(lidar.y), X(x), Y(y), [38, 38, 50]);
      c.disc(X(x), Y(y), 1, [255, 140, 30]);
    });
    c.disc(X(lidar.x), Y(lidar.y), 4, [80, 160, 255]);
  }
  return c;
}

function eegFigure(world: SimWorld): Canvas {
  // First engaged → resting change after T_REF, window 3 s either side.
  const change = world.timeline.changesBetween(T_REF_NS, T_REF_NS + 600_000_000_000n).find((ch) => (ch.from & 1) === 0 && (ch.to & 1) === 1);
  if (!change) throw new Error('no engaged → resting change in the first 10 minutes');
  const n = 1500;
  const win = eegWindowAt(world, change.at + 3_000_000_000n, { length: n });
  const filtered = createEegPreprocessor({ op: 'eeg', channels: 8, rateHz: 250, length: n, notchHz: [50, 60], bandHz: [1, 40], scaleUv: 1 })(win.chunk);
  const w = 1200;
  const row = 60;
  const c = new Canvas(w, 2 * 8 * row + 20, [15, 15, 20]);
  const xOf = (i: number): number => (i * (w - 1)) / (n - 1);
  const changeX = xOf(Number(change.at - win.t) / 4e6);
  const panel = (top: number, get: (ch: number, i: number) => number, uvPerRow: number, colour: Rgb): void => {
    c.line(changeX, top, changeX, top + 8 * row, [230, 230, 230]);
    for (let ch = 0; ch < CHANNELS.length; ch++) {
      const mid = top + ch * row + row / 2;
      c.line(0, mid, w - 1, mid, [40, 40, 50]);
      let prev = mid;
      for (let i = 0; i < n; i++) {
        const y = mid - (get(ch, i) / uvPerRow) * row;
        c.line(xOf(i - 1), prev, xOf(i), Math.max(top + ch * row, Math.min(top + (ch + 1) * row - 1, y)), colour);
        prev = Math.max(top + ch * row, Math.min(top + (ch + 1) * row - 1, y));
      }
    }
  };
  const mean = CHANNELS.map((_, ch) => win.chunk.data.subarray(ch * n, (ch + 1) * n).reduce((a, b) => a + b, 0) / n);
  // Raw minus DC: the 50 Hz pickup (hundreds of µV) dominates, as in the real Cyton file.
  panel(0, (ch, i) => (win.chunk.data[ch * n + i] as number) - (mean[ch] as number), 800, [120, 200, 255]);
  panel(8 * row + 20, (ch, i) => filtered[ch * n + i] as number, 250, [140, 255, 160]);
  return c;
}

function main(argv: string[]): void {
  const arg = (k: string, d: string): string => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : d;
  };
  const out = arg('out', 'models/reference/card');
  const seed = Number(arg('seed', '1000'));
  mkdirSync(out, { recursive: true });
  const world = new SimWorld({ seed });
  const t = settledInstant(world);
  const figures: [string, Canvas][] = [
    ['camera.png', cameraFigure(world, t)],
    ['depth.png', depthFigure(world, t)],
    ['lidar.png', lidarFigure(world, t)],
    ['eeg.png', eegFigure(world)],
  ];
  for (const [name, canvas] of figures) {
    writeFileSync(join(out, name), canvas.png());
    process.stderr.write(`[card] ${join(out, name)} ${canvas.width}×${canvas.height}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
