/**
 * Reads a session store the way the server does, through its callback API, as promises: so a spec
 * can check what the store really holds after each request.
 */
import { MemoryStore, type SessionData, type Store } from 'express-session';

/** The session stored under `id` (`undefined` or `null` when there is none). */
export function storedSession(store: Store, id: string): Promise<SessionData | null | undefined> {
  return new Promise((resolve, reject) => store.get(id, (err, data) => (err ? reject(err) : resolve(data))));
}

/** How many sessions the store holds. Fails when the store cannot count (no `length`). */
export function storedCount(store: Store): Promise<number> {
  const { length } = store;
  if (!length) return Promise.reject(new Error('this store does not implement length()'));
  return new Promise((resolve, reject) => length.call(store, (err, n) => (err ? reject(err) : resolve(n ?? 0))));
}

/** The IDs of every session the store holds. Fails when the store cannot list them (no `all`). */
export function storedIds(store: Store): Promise<string[]> {
  const { all } = store;
  if (!all) return Promise.reject(new Error('this store does not implement all()'));
  return new Promise((resolve, reject) =>
    all.call(store, (err, sessions) => (err ? reject(err) : resolve(Object.keys(sessions ?? {})))),
  );
}

/** A store operation that {@link FailingStore} can be told to fail. */
export type StoreOperation = 'get' | 'set' | 'destroy' | 'touch';

/**
 * A MemoryStore whose operations fail on demand, as a real store's do when its database is down:
 * `store.failing.add('set')` makes every `set` (a save) answer with an error until it is removed.
 * For claims that a snippet passes store errors to `next(err)` instead of carrying on.
 */
export class FailingStore extends MemoryStore {
  /** The operations that fail now. */
  readonly failing = new Set<StoreOperation>();
  /** The errors handed out, newest last. */
  readonly errors: Error[] = [];
  /** How many times a session was written (`set` called), whether the write failed or not. */
  writes = 0;

  private fail(op: StoreOperation): Error | undefined {
    if (!this.failing.has(op)) return undefined;
    const err = new Error(`the store is down (${op})`);
    this.errors.push(err);
    return err;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const err = this.fail('get');
    if (err) return void setImmediate(() => callback(err));
    super.get(sid, callback);
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.writes++;
    const err = this.fail('set');
    if (err) return void setImmediate(() => callback?.(err));
    super.set(sid, session, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    const err = this.fail('destroy');
    if (err) return void setImmediate(() => callback?.(err));
    super.destroy(sid, callback);
  }

  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const err = this.fail('touch');
    if (err) return void setImmediate(() => (callback as ((e?: unknown) => void) | undefined)?.(err));
    super.touch(sid, session, callback);
  }
}

/**
 * A MemoryStore that counts how often a session is written (`set`, in `writes`) and only refreshed
 * (`touch`, in `touches`): to see when a session is written back, e.g. that `resave: false` leaves
 * an unchanged session alone.
 */
export class CountingStore extends MemoryStore {
  writes = 0;
  touches = 0;

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.writes++;
    super.set(sid, session, callback);
  }

  override touch(sid: string, session: SessionData, callback?: () => void): void {
    this.touches++;
    super.touch(sid, session, callback);
  }
}

/**
 * A MemoryStore whose writes, while `hold` is on, wait until the test calls `release()`: a write the
 * test can see start and decide when it completes, with no timer. For claims that a snippet waits
 * for its session to be stored before it answers.
 */
export class HeldStore extends MemoryStore {
  hold = false;
  private readonly held: Array<() => void> = [];
  private onHeld: (() => void) | undefined;

  /** Resolves once a write is being held. */
  writeHeld(): Promise<void> {
    return new Promise((resolve) => {
      if (this.held.length > 0) resolve();
      else this.onHeld = resolve;
    });
  }

  /** Completes every held write and stops holding. */
  release(): void {
    this.hold = false;
    for (const write of this.held.splice(0)) write();
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    if (!this.hold) {
      super.set(sid, session, callback);
      return;
    }
    this.held.push(() => super.set(sid, session, callback));
    this.onHeld?.();
    this.onHeld = undefined;
  }
}
