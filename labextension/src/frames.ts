/**
 * Conflation: events are collected and handed over once per animation frame, so a tight
 * `push()` loop costs one render per frame. A timer stands in when frames stop (hidden tab),
 * which keeps the pending batch bounded in time.
 */

export interface FrameScheduler {
  request(fn: () => void): void;
}

export const browserFrames: FrameScheduler = {
  request(fn) {
    const fallback = setTimeout(() => {
      cancelAnimationFrame(frame);
      fn();
    }, 250);
    const frame = requestAnimationFrame(() => {
      clearTimeout(fallback);
      fn();
    });
  }
};

export class FrameBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly frames: FrameScheduler = browserFrames
  ) {}

  add(items: readonly T[]): void {
    for (const item of items) {
      this.pending.push(item);
    }
    if (!this.scheduled && this.pending.length) {
      this.scheduled = true;
      this.frames.request(() => {
        this.scheduled = false;
        const items = this.pending;
        this.pending = [];
        this.flush(items);
      });
    }
  }
}
