/** A one-line progress bar on a TTY stream (stderr), redrawn at most every 100 ms. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly width = 30) {}

  update(label: string, done: number, total: number): void {
    const now = Date.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = total > 0 ? done / total : 1;
    const filled = Math.round(frac * this.width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}%  ${label} ${done}/${total}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
