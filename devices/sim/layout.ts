import { Stream } from './hash.ts';
import { randomPartColor } from './parts.ts';
import { Rng } from './rng.ts';
import { box, cylinder, type CylinderSolid, type Rgb, type StaticSolid, type Vec2, type Vec3 } from './geometry.ts';

/**
 * The static cell (CONTRACT.md "The scene"), with small per-world variations (floor tint, clutter,
 * cabinets) so a model cannot memorise one picture. Everything that never moves lives here, once:
 * the RGB-D renderer rasterises it from above and the LiDAR slices it at 0.2 m, so both see the
 * same ground truth.
 *
 * Plan view (metres): robot table centred at the origin, the robot's pedestal under its west half,
 * conveyor along the north edge, place tray at the south edge, stack light at the south-east
 * corner. The operator's station bench is ~2.5 m east; the break corner is in the north-west
 * corner. The RGB-D unit hangs 2.2 m above the table top and sees |x| < 1.7, |y| < 1.3 at floor
 * level, so the station, the corner and the operator's walk between them (routed along y = 1.8)
 * stay outside its frustum. The LiDAR stands near the north wall, 2.3 m from the corner's chair and
 * 3.5 m from the station, with clear lines of sight to both.
 */
export interface CellLayout {
  solids: StaticSolid[];
  /** The top lamp of the stack light: its colour is set per frame (green running, amber paused). */
  lamp: CylinderSolid;
  floorColor: Rgb;
  /** Shoulder joint of the arm (top of the robot base). */
  shoulder: Vec3;
  /** Where the running arm picks (on the conveyor) and places (in the tray), z of the part top. */
  pickZone: { x0: number; x1: number; y: number; z: number };
  placeZone: { x0: number; x1: number; y0: number; y1: number; z: number };
  conveyor: { x0: number; x1: number; y: number; z: number };
  /** Where the engaged operator stands (facing the bench, +x). */
  station: Vec2;
  /** The break-corner chair (column position) and the direction a seated person faces (rad). */
  chair: { x: number; y: number; facing: number };
  /** Station → chair, kept outside the camera frustum. */
  walkPath: Vec2[];
  colleagueRoutes: Vec2[][];
  agvLanes: number[];
  lidar: { x: number; y: number; z: number; yaw: number };
  room: { x0: number; x1: number; y0: number; y1: number };
  camera: { x: number; y: number; z: number };
}

export const TABLE_TOP_Z = 0.78;
export const ROOM = { x0: -4, x1: 4, y0: -3, y1: 3 } as const;

const GREY: Rgb = [120, 122, 125];
const WALL: Rgb = [200, 198, 190];
const TABLE_TOP: Rgb = [165, 170, 172];
const LEG: Rgb = [70, 72, 75];

export function createLayout(seed: number): CellLayout {
  const rng = new Rng(seed, Stream.layout);
  const T = TABLE_TOP_Z;
  const solids: StaticSolid[] = [];
  const t = 0.1; // wall thickness
  solids.push(
    box([ROOM.x0 - t, ROOM.y0 - t, 0], [ROOM.x1 + t, ROOM.y0, 2.5], WALL),
    box([ROOM.x0 - t, ROOM.y1, 0], [ROOM.x1 + t, ROOM.y1 + t, 2.5], WALL),
    box([ROOM.x0 - t, ROOM.y0, 0], [ROOM.x0, ROOM.y1, 2.5], WALL),
    box([ROOM.x1, ROOM.y0, 0], [ROOM.x1 + t, ROOM.y1, 2.5], WALL),
  );
  // Robot table: top and four legs (the LiDAR sees the legs, the camera the top).
  solids.push(box([-0.8, -0.5, T - 0.04], [0.8, 0.5, T], TABLE_TOP));
  for (const [lx, ly] of [[-0.72, -0.42], [0.72, -0.42], [-0.72, 0.42], [0.72, 0.42]] as const) {
    solids.push(box([lx - 0.03, ly - 0.03, 0], [lx + 0.03, ly + 0.03, T - 0.04], LEG));
  }
  // Robot pedestal under the table (LiDAR), robot base on top of it (camera).
  solids.push(cylinder(-0.5, 0, 0.11, 0, T - 0.04, [90, 92, 96]));
  solids.push(cylinder(-0.5, 0, 0.09, T, T + 0.12, [60, 62, 70]));
  // Conveyor: frame, dark belt, two rails.
  solids.push(box([-0.78, 0.2, T], [0.78, 0.42, T + 0.06], [38, 40, 42]));
  solids.push(box([-0.78, 0.2, T], [0.78, 0.215, T + 0.08], [175, 178, 180]));
  solids.push(box([-0.78, 0.405, T], [0.78, 0.42, T + 0.08], [175, 178, 180]));
  // Place tray with a rim.
  const tray: Rgb = [40, 80, 150];
  solids.push(box([0.0, -0.42, T], [0.4, -0.16, T + 0.015], tray));
  solids.push(box([0.0, -0.42, T], [0.4, -0.405, T + 0.05], tray), box([0.0, -0.175, T], [0.4, -0.16, T + 0.05], tray));
  solids.push(box([0.0, -0.42, T], [0.015, -0.16, T + 0.05], tray), box([0.385, -0.42, T], [0.4, -0.16, T + 0.05], tray));
  // Stack light: pole, a dark red and a white segment, then the top lamp (dynamic colour).
  solids.push(cylinder(0.68, -0.38, 0.022, T, T + 0.3, [150, 150, 150]));
  solids.push(cylinder(0.68, -0.38, 0.045, T + 0.3, T + 0.38, [110, 30, 30]));
  solids.push(cylinder(0.68, -0.38, 0.045, T + 0.38, T + 0.46, [190, 190, 185]));
  const lamp = cylinder(0.68, -0.38, 0.045, T + 0.46, T + 0.54, [0, 0, 0]);
  solids.push(lamp);
  // Clutter on the table (a box or two) and on the floor (a bin), placed per world.
  const nClutter = 1 + Math.floor(rng.next() * 2);
  for (let i = 0; i < nClutter; i++) {
    const cx = rng.range(0.5, 0.7);
    const cy = rng.range(-0.08, 0.1);
    const s = rng.range(0.04, 0.08);
    solids.push(box([cx - s, cy - s, T], [cx + s, cy + s, T + rng.range(0.03, 0.12)], randomColor(rng)));
  }
  // South of the table: in the camera's view, off the LiDAR's lines of sight to station and corner.
  const binX = rng.range(1.0, 1.4);
  const binY = rng.range(-0.9, -0.45);
  solids.push(box([binX - 0.2, binY - 0.15, 0], [binX + 0.2, binY + 0.15, rng.range(0.3, 0.5)], randomColor(rng)));
  // Station bench (legs matter to the LiDAR).
  solids.push(box([2.5, -0.6, 0.86], [3.3, 0.6, 0.9], [150, 120, 85]));
  for (const [lx, ly] of [[2.55, -0.55], [3.25, -0.55], [2.55, 0.55], [3.25, 0.55]] as const) {
    solids.push(box([lx - 0.025, ly - 0.025, 0], [lx + 0.025, ly + 0.025, 0.86], LEG));
  }
  // Break corner: chair column and seat, and a small side table.
  const chair = { x: -3.2, y: 2.35, facing: Math.atan2(-1, 1.2) };
  solids.push(cylinder(chair.x, chair.y, 0.035, 0.06, 0.45, [40, 40, 45]));
  solids.push(box([chair.x - 0.23, chair.y - 0.23, 0.45], [chair.x + 0.23, chair.y + 0.23, 0.52], [50, 60, 110]));
  solids.push(box([-3.85, 1.3, 0], [-3.45, 1.7, 0.55], [130, 110, 90]));
  // Cabinets along the north and south walls, positioned per world.
  const nx = rng.range(-1.6, 0.6);
  solids.push(box([nx, 2.5, 0], [nx + rng.range(0.8, 1.4), 2.98, 1.9], GREY));
  const sx = rng.range(-3.6, -2.4);
  solids.push(box([sx, -2.98, 0], [sx + rng.range(0.8, 1.2), -2.5, 1.2], GREY));
  return {
    solids,
    lamp,
    floorColor: [Math.round(rng.range(105, 135)), Math.round(rng.range(105, 130)), Math.round(rng.range(100, 125))],
    shoulder: [-0.5, 0, T + 0.2],
    pickZone: { x0: -0.15, x1: 0.3, y: 0.31, z: T + 0.06 },
    placeZone: { x0: 0.06, x1: 0.34, y0: -0.36, y1: -0.22, z: T + 0.015 },
    conveyor: { x0: -0.78, x1: 0.78, y: 0.31, z: T + 0.06 },
    station: [2.15, 0],
    chair,
    walkPath: [[2.15, 0], [2.0, 1.8], [-2.6, 1.8], [chair.x + 0.5 * Math.cos(chair.facing), chair.y + 0.5 * Math.sin(chair.facing)]],
    colleagueRoutes: [
      [[-3.8, -1.45], [3.8, -1.45]],
      [[3.8, 1.5], [-2.2, 1.5], [-2.2, -1.6], [-3.8, -1.6]],
      [[1.2, -2.7], [1.2, 1.5], [3.8, 1.5]],
    ],
    agvLanes: [1.0, -1.05],
    lidar: { x: -0.4, y: 2.25, z: 0.2, yaw: 0 },
    room: { ...ROOM },
    camera: { x: 0, y: 0, z: T + 2.2 },
  };
}

/** A saturated colour for clutter, drawn from the layout's own generator. */
function randomColor(rng: Rng): Rgb {
  return randomPartColor(rng.nextU32(), 0);
}
