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
