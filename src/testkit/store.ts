/**
 * Reads a session store the way the server does, through its callback API, as promises: so a spec
 * can check what the store really holds after each request.
 */
import type { SessionData, Store } from 'express-session';

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
