/**
 * A bounded push→pull queue that turns callback-driven producers (timers, sockets) into an
 * AsyncIterable. When full it drops the **oldest** item and counts it: a slow consumer never
 * grows memory without bound, and never silently.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #waiters: ((r: IteratorResult<T>) => void)[] = [];
  #closed = false;
  #dropped = 0;

  constructor(capacity = 1024) {
    if (capacity < 1) throw new RangeError('capacity must be >= 1');
    this.#capacity = capacity;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#items.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Returns the dropped item if the queue was full, so the caller can recycle its buffers. */
  push(item: T): T | undefined {
    if (this.#closed) return item;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter({ value: item, done: false });
      return undefined;
    }
    this.#items.push(item);
    if (this.#items.length > this.#capacity) {
      this.#dropped++;
      return this.#items.shift();
    }
    return undefined;
  }

  /** Ends iteration after the queued items are consumed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
