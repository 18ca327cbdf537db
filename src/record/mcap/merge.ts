/**
 * Merges time-sorted runs loaded on demand: `chunks` sorted by `start`, each loading to messages
 * in file order. A chunk is loaded once the merge front reaches its start (nothing in it can come
 * earlier), so memory holds only the chunks that overlap the front. Order: log time, then chunk
 * order, then position in the chunk — deterministic for equal times.
 */
interface Item<M> {
  m: M;
  chunk: number;
  index: number;
}

export async function* mergeByTime<C extends { start: bigint }, M extends { logTime: bigint }>(
  chunks: readonly C[],
  load: (c: C) => Promise<M[]>,
): AsyncGenerator<M> {
  const heap: Item<M>[] = [];
  let next = 0;
  for (;;) {
    while (next < chunks.length && (heap.length === 0 || (chunks[next] as C).start <= (heap[0] as Item<M>).m.logTime)) {
      const k = next++;
      const ms = await load(chunks[k] as C);
      ms.forEach((m, index) => push(heap, { m, chunk: k, index }));
    }
    const top = pop(heap);
    if (!top) return;
    yield top.m;
  }
}

function less<M extends { logTime: bigint }>(a: Item<M>, b: Item<M>): boolean {
  if (a.m.logTime !== b.m.logTime) return a.m.logTime < b.m.logTime;
  if (a.chunk !== b.chunk) return a.chunk < b.chunk;
  return a.index < b.index;
}

function push<M extends { logTime: bigint }>(h: Item<M>[], x: Item<M>): void {
  h.push(x);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h[i] as Item<M>, h[p] as Item<M>)) break;
    [h[i], h[p]] = [h[p] as Item<M>, h[i] as Item<M>];
    i = p;
  }
}

function pop<M extends { logTime: bigint }>(h: Item<M>[]): Item<M> | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l] as Item<M>, h[m] as Item<M>)) m = l;
      if (r < h.length && less(h[r] as Item<M>, h[m] as Item<M>)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Item<M>, h[i] as Item<M>];
      i = m;
    }
  }
  return top;
}
