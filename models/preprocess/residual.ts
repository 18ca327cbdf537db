/**
 * Least-squares residual of a signal against a fixed basis: x ← x − B·(BᵀB)⁻¹Bᵀx. The basis is
 * fixed per model spec, so (BᵀB)⁻¹Bᵀ is computed once (Gauss–Jordan with partial pivoting on a
 * k×k system, k ≈ 10) and each call costs 2·k·n multiply-adds.
 */
export function residualProjector(basis: Float64Array[], n: number): (x: Float64Array) => void {
  const k = basis.length;
  // Normal matrix BᵀB augmented with the identity, inverted in place.
  const m: Float64Array[] = Array.from({ length: k }, (_, i) => {
    const row = new Float64Array(2 * k);
    for (let j = 0; j < k; j++) row[j] = dot(basis[i] as Float64Array, basis[j] as Float64Array, n);
    row[k + i] = 1;
    return row;
  });
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs((m[r] as Float64Array)[col] as number) > Math.abs((m[piv] as Float64Array)[col] as number)) piv = r;
    [m[col], m[piv]] = [m[piv] as Float64Array, m[col] as Float64Array];
    const p = m[col] as Float64Array;
    const d = p[col] as number;
    if (Math.abs(d) < 1e-12) throw new RangeError('basis is degenerate (two columns are linearly dependent)');
    for (let j = 0; j < 2 * k; j++) p[j] = (p[j] as number) / d;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const row = m[r] as Float64Array;
      const f = row[col] as number;
      if (f !== 0) for (let j = 0; j < 2 * k; j++) row[j] = (row[j] as number) - f * (p[j] as number);
    }
  }
  // G = (BᵀB)⁻¹Bᵀ, k × n.
  const g = Array.from({ length: k }, (_, i) => {
    const row = new Float64Array(n);
    const inv = m[i] as Float64Array;
    for (let j = 0; j < k; j++) {
      const w = inv[k + j] as number;
      const b = basis[j] as Float64Array;
      for (let s = 0; s < n; s++) row[s] = (row[s] as number) + w * (b[s] as number);
    }
    return row;
  });
  const coef = new Float64Array(k);
  return (x: Float64Array): void => {
    for (let i = 0; i < k; i++) coef[i] = dot(g[i] as Float64Array, x, n);
    for (let i = 0; i < k; i++) {
      const c = coef[i] as number;
      const b = basis[i] as Float64Array;
      for (let s = 0; s < n; s++) x[s] = (x[s] as number) - c * (b[s] as number);
    }
  };
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
