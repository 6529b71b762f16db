// A MemoryStore whose writes land `delayMs` after they are asked for, like a store across a network.
import { MemoryStore, type SessionData } from 'express-session';

// #region store
export class SlowStore extends MemoryStore {
  /** How many writes were asked for. */
  writes = 0;

  constructor(readonly delayMs = 100) {
    super();
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.writes += 1;
    // Serialize now, as a networked store would before sending; the write lands later.
    const snapshot = JSON.parse(JSON.stringify(session)) as SessionData;
    setTimeout(() => super.set(sid, snapshot, callback), this.delayMs);
  }
}
// #endregion store
