/**
 * Binary min-heap of (time, kind, payload) events; equal times pop in insertion order, which keeps a
 * seeded run deterministic. Typed arrays, no per-event objects.
 */
export class EventQueue {
  private time = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private kind = new Int32Array(1024);
  private payload = new Int32Array(1024);
  private size = 0;
  private counter = 0;

  get length(): number {
    return this.size;
  }

  push(t: number, kind: number, payload: number): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    const s = this.counter++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.time[parent];
      if (pt < t || (pt === t && this.seq[parent] < s)) break;
      this.move(parent, i);
      i = parent;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = kind;
    this.payload[i] = payload;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.size === 0 ? Infinity : this.time[0];
  }

  peekKind(): number {
    return this.kind[0];
  }

  peekPayload(): number {
    return this.payload[0];
  }

  /** Removes the next event; read it with peek* first. */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const t = this.time[last];
    const s = this.seq[last];
    const k = this.kind[last];
    const p = this.payload[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      let c = l;
      if (r < last && (this.time[r] < this.time[l] || (this.time[r] === this.time[l] && this.seq[r] < this.seq[l]))) c = r;
      if (this.time[c] > t || (this.time[c] === t && this.seq[c] > s)) break;
      this.move(c, i);
      i = c;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = k;
    this.payload[i] = p;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.seq[to] = this.seq[from];
    this.kind[to] = this.kind[from];
    this.payload[to] = this.payload[from];
  }

  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    const s = new Float64Array(n);
    s.set(this.seq);
    const k = new Int32Array(n);
    k.set(this.kind);
    const p = new Int32Array(n);
    p.set(this.payload);
    this.time = t;
    this.seq = s;
    this.kind = k;
    this.payload = p;
  }
}
