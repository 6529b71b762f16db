// A MemoryStore whose writes land late, like a store across a network: `delayMs` later, or, while
// `hold` is true, only when the caller says so with release(), so a spec decides who wins a race.
import { MemoryStore, type SessionData } from 'express-session';

// #region store
export class SlowStore extends MemoryStore {
  /** How many writes were asked for. */
  writes = 0;
  /** How long a write takes to land when it is not held. */
  readonly delayMs: number;
  /** While true, writes wait for release() instead of a timer. */
  hold: boolean;
  private held: Array<() => void> = [];

  constructor({ delayMs = 100, hold = false }: { delayMs?: number; hold?: boolean } = {}) {
    super();
    this.delayMs = delayMs;
    this.hold = hold;
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.writes += 1;
    // Serialize now, as a networked store would before sending; the write lands later.
    const snapshot = JSON.parse(JSON.stringify(session)) as SessionData;
    const land = () => super.set(sid, snapshot, callback);
    if (this.hold) this.held.push(land);
    else setTimeout(land, this.delayMs);
  }

  /** Lands every held write, in the order they were asked for, and stops holding. */
  release(): void {
    this.hold = false;
    for (const land of this.held.splice(0)) land();
  }
}
// #endregion store
