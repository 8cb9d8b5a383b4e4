// A fixed-capacity ring buffer: the slot array is allocated once, and the oldest entry is overwritten once
// it is full, so a long-running scraper keeps a flat memory footprint whatever the run length.

export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a whole number ≥ 1');
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    this.slots[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The newest entry, or undefined when empty. */
  newest(): T | undefined {
    return this.size === 0 ? undefined : this.slots[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** Entries oldest first that satisfy `keep` (scanned from the newest backwards while `keep` holds). */
  newestWhile(keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.size; i++) {
      const item = this.slots[(this.next - i + this.capacity) % this.capacity] as T;
      if (!keep(item)) break;
      out.push(item);
    }
    return out.reverse();
  }

  /** Every entry, oldest first. */
  toArray(): T[] {
    return this.newestWhile(() => true);
  }
}
