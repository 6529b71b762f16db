/**
 * The dev server's work queue: it owns the debounce and the busy state. Saved files arrive one by
 * one (an editor often writes a file twice, a `git checkout` writes many); they are merged into a
 * {@link Batch} that is handled once things are quiet for a moment, and never while the previous
 * batch is still being handled: what arrives meanwhile makes the next batch.
 * @module
 */
import { addChange, emptyBatch, hasWork, type Batch } from './changes.ts';

/** Handles one batch; `seenAt` is when its first change was seen (`performance.now()`). */
export type BatchHandler = (batch: Batch, seenAt: number) => Promise<void>;

export class WorkQueue {
  private pending: Batch = emptyBatch();
  private firstSeen = 0;
  private timer: NodeJS.Timeout | undefined;
  private working: Promise<void> = Promise.resolve();
  private busy = false;
  private closed = false;

  /**
   * @param handle does the work of a batch
   * @param onError told when `handle` throws; the queue goes on with the next batch
   * @param quietMs how long no change must arrive before a batch starts
   */
  constructor(
    private readonly handle: BatchHandler,
    private readonly onError: (error: unknown) => void,
    private readonly quietMs = 15,
  ) {}

  /** Adds a changed path (relative to the project root); returns false when it does not matter. */
  add(path: string): boolean {
    if (!addChange(this.pending, path)) return false;
    this.seen();
    return true;
  }

  /** Queues a run of every chapter's specs (as a src/testkit/ change would), caused by `cause`. */
  rerunAll(cause: string): void {
    this.pending.rerunAll = true;
    this.pending.files.add(cause);
    this.seen();
  }

  /** Resolves when no work is pending or running. */
  async idle(): Promise<void> {
    for (;;) {
      await this.working;
      // Let a debounce timer that is about to fire start its batch.
      await new Promise((r) => setTimeout(r, this.quietMs * 2));
      if (!this.busy && !hasWork(this.pending)) return;
    }
  }

  /** Stops taking batches; resolves when the running one (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.working.catch(() => {});
  }

  private seen(): void {
    if (this.firstSeen === 0) this.firstSeen = performance.now();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => {
      if (this.busy || !hasWork(this.pending)) return; // a busy queue picks it up when its batch ends
      const batch = this.pending;
      const seenAt = this.firstSeen;
      this.pending = emptyBatch();
      this.firstSeen = 0;
      this.busy = true;
      this.working = this.handle(batch, seenAt)
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.busy = false;
          if (hasWork(this.pending)) this.schedule();
        });
    }, this.quietMs);
  }
}
