/**
 * Fitting a clock line under one-sided delay. Arrival = true time + latency + queueing delay,
 * with the delay ≥ 0 (USB, serial, network never deliver early), so the line sits on the lower
 * envelope of the (device time, arrival) points, not through their middle: the linear programme
 * "maximise Σ (line) subject to line ≤ every point" (Moon, Skelly & Towsley, "Estimation and
 * removal of clock skew from network delay measurements", INFOCOM 1999). Its solution is the
 * edge of the lower convex hull that spans the points' mean abscissa, which is what
 * {@link supportLine} returns for a chosen abscissa.
 */

export interface Line {
  /** y = a + b·x */
  a: number;
  b: number;
}

/**
 * Lower convex hull of points given in increasing `x` (Andrew's monotone chain). Returns the
 * indices of the hull vertices, left to right. Points sharing an `x` keep the lower one.
 */
export function lowerHull(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number[] {
  const hull: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    let top = hull.length;
    if (top > 0 && (xs[hull[top - 1] as number] as number) === x) {
      if ((ys[hull[top - 1] as number] as number) <= y) continue;
      hull.pop();
      top--;
    }
    while (top >= 2) {
      const i1 = hull[top - 2] as number;
      const i2 = hull[top - 1] as number;
      const x1 = xs[i1] as number;
      const y1 = ys[i1] as number;
      const x2 = xs[i2] as number;
      const y2 = ys[i2] as number;
      // Keep i2 only if it turns left (strictly below the chord from i1 to the new point).
      if ((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) <= 0) {
        hull.pop();
        top--;
      } else break;
    }
    hull.push(i);
  }
  return hull;
}

/**
 * The supporting line of the lower hull at abscissa `at` (clamped into the hull's range): the
 * hull edge whose span contains `at`. With one hull vertex the slope is `fallbackSlope`.
 */
export function supportLine(xs: ArrayLike<number>, ys: ArrayLike<number>, hull: readonly number[], at: number, fallbackSlope = 0): Line | undefined {
  if (hull.length === 0) return undefined;
  if (hull.length === 1) {
    const i = hull[0] as number;
    return { a: (ys[i] as number) - fallbackSlope * (xs[i] as number), b: fallbackSlope };
  }
  let k = 0;
  while (k < hull.length - 2 && (xs[hull[k + 1] as number] as number) < at) k++;
  const i1 = hull[k] as number;
  const i2 = hull[k + 1] as number;
  const b = ((ys[i2] as number) - (ys[i1] as number)) / ((xs[i2] as number) - (xs[i1] as number));
  return { a: (ys[i1] as number) - b * (xs[i1] as number), b };
}

/** The lowest line of slope `b` that stays under every point: offset-only fit with a known drift. */
export function lineWithSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, b: number, n = xs.length): Line | undefined {
  let a = Infinity;
  for (let i = 0; i < n; i++) {
    const v = (ys[i] as number) - b * (xs[i] as number);
    if (v < a) a = v;
  }
  return Number.isFinite(a) ? { a, b } : undefined;
}

/**
 * Lower-envelope line of a whole point set (offline): the LP solution at the mean abscissa,
 * slope clamped to ±maxSlope.
 */
export function envelopeFit(xs: ArrayLike<number>, ys: ArrayLike<number>, maxSlope = Infinity, n = xs.length): Line | undefined {
  if (n === 0) return undefined;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i] as number;
  mean /= n;
  const line = supportLine(xs, ys, lowerHull(xs, ys, n), mean);
  if (!line) return undefined;
  if (Math.abs(line.b) > maxSlope) return lineWithSlope(xs, ys, Math.sign(line.b) * maxSlope, n);
  return line;
}

/**
 * Slope of the lower part of a point cloud: least squares, then again on the lowest `keep`
 * fraction of the residuals, a few times (a cheap stand-in for low-quantile regression). The
 * envelope points are per-bucket minima; most sit on the transport floor plus a little noise, some
 * (stalls, the slow half of a burst, the 1 ms USB frame beat) well above it. Fitting the lowest
 * third of them averages the floor over the whole window, where a single hull edge (the LP
 * answer) is as noisy as its two end points are close and LS through hull vertices is biased by
 * which points happen to be extreme.
 */
export function lowerSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length, keep = 0.35, rounds = 3): number | undefined {
  if (n < 3) return undefined;
  let use = Uint8Array.from({ length: n }, () => 1);
  const res = new Float64Array(n);
  let b: number | undefined;
  for (let round = 0; round <= rounds; round++) {
    const fit = leastSquares(xs, ys, use, n);
    if (!fit) return b;
    b = fit.b;
    if (round === rounds) break;
    for (let i = 0; i < n; i++) res[i] = (ys[i] as number) - fit.a - fit.b * (xs[i] as number);
    const m = Math.max(3, Math.ceil(keep * n));
    const cut = Float64Array.from(res).sort()[m - 1] as number;
    use = new Uint8Array(n);
    let taken = 0;
    for (let i = 0; i < n && taken < m; i++) {
      if ((res[i] as number) <= cut) {
        use[i] = 1;
        taken++;
      }
    }
  }
  return b;
}

function leastSquares(xs: ArrayLike<number>, ys: ArrayLike<number>, use: Uint8Array, n: number): Line | undefined {
  let k = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    if (!use[i]) continue;
    k++;
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  if (k < 2) return undefined;
  mx /= k;
  my /= k;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    if (!use[i]) continue;
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  if (!(sxx > 0)) return undefined;
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

/**
 * The lower common tangent of the first and last thirds of the points: the line through the
 * lowest point of each (lowest after removing slope `b`), found by iterating from `b0`. It rests
 * on the *minimum* of each third, which is what makes the envelope precise — with exponential
 * delays the minimum of N arrivals is within mean/N of the floor (the LP estimator's strength),
 * and with a sawtooth floor (the 1 ms USB frame beating against the sample period) the minimum
 * of a third is a tooth's bottom — while its long baseline (two thirds of the window) keeps the
 * slope error at twice the floor noise over that baseline.
 */
export function bridgeSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, b0: number): number {
  if (n < 3) return b0;
  const first = xs[0] as number;
  const last = xs[n - 1] as number;
  const left = first + (last - first) / 3;
  const right = last - (last - first) / 3;
  let b = b0;
  for (let iter = 0; iter < 8; iter++) {
    let iL = -1;
    let iR = -1;
    let vL = Infinity;
    let vR = Infinity;
    for (let i = 0; i < n; i++) {
      const x = xs[i] as number;
      const v = (ys[i] as number) - b * x;
      if (x <= left && v < vL) {
        vL = v;
        iL = i;
      }
      if (x >= right && v < vR) {
        vR = v;
        iR = i;
      }
    }
    if (iL < 0 || iR < 0 || iL === iR) return b;
    const nb = ((ys[iR] as number) - (ys[iL] as number)) / ((xs[iR] as number) - (xs[iL] as number));
    if (nb === b) break;
    b = nb;
  }
  return b;
}
