import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { transform } from 'esbuild';
import type { RedisStore } from 'connect-redis';
import type { ConnectSessionKnexStore } from 'connect-session-knex';
import { MemoryStore } from 'express-session';
import { createClient } from 'redis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedSession } from '../../src/testkit/store.ts';
import { type RedisHandle, skipRedis, startRedis } from '../../src/testkit/redis.ts';
import { makeWorkDir, tempFolder } from '../../src/testkit/tsc.ts';
import { createApp, KnexStore, storeFromEnv, type StoreChoice } from './app.ts';

const SECRET = 'chapter-20-secret';
const ROOT = join(import.meta.dirname, '..', '..');
const MINUTE = 60 * 1000;

/** The `license` field of an installed package's package.json. */
const licence = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { license: string }).license;

/** Rows of the sessions table in a SQLite file, read through a separate read-only connection. */
function sessionRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * The snippet as JavaScript with its types stripped by esbuild, which is what tsx does (at half
 * tsx's start-up), in a temporary folder that sees this project's node_modules. Returns its path.
 */
async function transpiledSnippet(folder: string): Promise<string> {
  const work = await makeWorkDir(folder, 'work');
  const { code } = await transform(readFileSync(join(import.meta.dirname, 'app.ts'), 'utf8'), {
    loader: 'ts',
    format: 'esm',
  });
  return work.write('app.js', code);
}

const servers = new LoopbackServers();
const choices: StoreChoice[] = [];
/** Opens a store from an env object (never process.env) and closes it after the test. */
function open(env: NodeJS.ProcessEnv): StoreChoice {
  const choice = storeFromEnv(env);
  choices.push(choice);
  return choice;
}
afterEach(async () => {
  await servers.closeAll();
  await Promise.all(choices.splice(0).map((c) => c.close()));
});

async function logIn(target: RequestListener | Server, userId: number) {
  const res = await request(target)
    .post('/login')
    .type('form')
    .send({ userId: String(userId) });
  expect(res.status).toBe(200);
  expect(res.text).toBe('Logged in');
  const cookie = requireCookie(res, 'connect.sid');
  return { cookie, header: cookiePair(cookie), id: signedSessionId(cookie.value).id };
}

/**
 * Runs a Node child process and returns its exit code (null if it had to be killed) and stderr.
 * It is killed `killAfterMs` after it starts or, with `armOn`, after its stdout first contains
 * `armOn` (so that a slow start on a busy machine does not count against it).
 */
function runNode(args: string[], env: NodeJS.ProcessEnv, killAfterMs: number, armOn?: string) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
    let stderr = '';
    let stdout = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (armOn !== undefined && stdout.includes(armOn)) arm();
    });
    if (armOn === undefined) arm();
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('the default in-memory store', () => {
  test('a restart (a new app with a new, empty MemoryStore) loses every session: the old cookie gets 401', async () => {
    const first = await servers.start(createApp({ store: new MemoryStore(), secret: SECRET }));
    const { header } = await logIn(first.server, 101);
    await request(first.server).get('/profile').set('Cookie', header).expect(200, 'User profile for user ID: 101');
    await first.close();
    // A new process starts with a new, empty memory.
    const restarted = await servers.start(createApp({ store: new MemoryStore(), secret: SECRET }));
    const res = await request(restarted.server).get('/profile').set('Cookie', header);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });

  test('two servers with a MemoryStore each, as two processes would have, do not share sessions: a session made on one is unknown to the other', async () => {
    const a = await servers.start(createApp({ store: new MemoryStore(), secret: SECRET }));
    const b = await servers.start(createApp({ store: new MemoryStore(), secret: SECRET }));
    const { header } = await logIn(a.server, 102);
    await request(a.server).get('/profile').set('Cookie', header).expect(200, 'User profile for user ID: 102');
    const res = await request(b.server).get('/profile').set('Cookie', header);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });

  // Two Node processes side by side, with time for a slow start on a busy machine.
  test('express-session prints a MemoryStore warning on stderr when NODE_ENV=production', {
    timeout: 30_000,
  }, async () => {
    const script = "require('express-session')({ secret: 'x', resave: false, saveUninitialized: false })";
    const [prod, dev] = await Promise.all([
      runNode(['-e', script], { NODE_ENV: 'production' }, 10_000),
      runNode(['-e', script], { NODE_ENV: 'development' }, 10_000),
    ]);
    expect(prod.code).toBe(0);
    expect(prod.stderr).toContain(
      'Warning: connect.session() MemoryStore is not\ndesigned for a production environment, as it will leak\nmemory, and will not scale past a single process.',
    );
    expect(dev.code).toBe(0);
    expect(dev.stderr).not.toContain('MemoryStore');
  });

  test('the snippet refuses to start in production without REDIS_URL or SQLITE_PATH', () => {
    const message = 'Set REDIS_URL or SQLITE_PATH: the in-memory session store loses every session on restart';
    expect(() => storeFromEnv({ NODE_ENV: 'production' })).toThrow(message);
    const env = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-secret',
      REDIS_URL: undefined,
      SQLITE_PATH: undefined,
    };
    withEnv(env, () => expect(() => createApp()).toThrow(message));
  });

  test('outside production, without REDIS_URL or SQLITE_PATH, the snippet falls back to memory and warns', () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const choice = storeFromEnv({ NODE_ENV: 'development' });
      expect(choice.kind).toBe('memory');
      expect(choice.store).toBeInstanceOf(MemoryStore);
      expect(warned).toHaveBeenCalledWith(
        'No REDIS_URL or SQLITE_PATH: sessions are kept in memory and lost on every restart',
      );
    } finally {
      warned.mockRestore();
    }
  });

  test('MemoryStore has no cleanup: an expired session stays in memory until a request asks for it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2030-01-01T09:00:00.000Z') });
    try {
      const store = new MemoryStore();
      const app = createApp({ store, secret: SECRET });
      const { header, id } = await logIn(app, 104);
      const held = () => Object.keys((store as unknown as { sessions: Record<string, string> }).sessions);
      vi.setSystemTime(Date.parse('2030-01-02T09:00:00.000Z')); // a day later, long expired
      expect(held()).toEqual([id]);
      await request(app).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
      expect(held()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('SQLite (better-sqlite3-session-store): one machine, survives restarts', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch20-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('SQLITE_PATH selects the SQLite store and puts the file in WAL mode', () => {
    const file = join(dir, 'select.db');
    expect(open({ SQLITE_PATH: file }).kind).toBe('sqlite');
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  test('better-sqlite3-session-store is GPL-3.0-only; express-session, connect-redis and better-sqlite3 are MIT', () => {
    expect(licence('better-sqlite3-session-store')).toBe('GPL-3.0-only');
    expect(['express-session', 'connect-redis', 'better-sqlite3'].map(licence)).toEqual(['MIT', 'MIT', 'MIT']);
  });

  test('after a restart on the same file the old cookie still works', async () => {
    const file = join(dir, 'restart.db');
    const before = open({ SQLITE_PATH: file });
    const first = await servers.start(createApp({ store: before.store, secret: SECRET }));
    const { header } = await logIn(first.server, 201);
    await first.close();
    await before.close();
    // The "new process": a new database connection and a new app on the same file.
    const after = open({ SQLITE_PATH: file });
    const restarted = await servers.start(createApp({ store: after.store, secret: SECRET }));
    const res = await request(restarted.server).get('/profile').set('Cookie', header);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 201');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('the session is a row in the sessions table: the data as JSON and an expiry 30 minutes out', async () => {
    const file = join(dir, 'row.db');
    const choice = open({ SQLITE_PATH: file });
    // Only Date is faked, frozen at the login's moment, so the expiry can be checked to the millisecond.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2030-01-01T09:00:00.000Z') });
    const { id } = await logIn(createApp({ store: choice.store, secret: SECRET }), 202).finally(() =>
      vi.useRealTimers(),
    );
    const db = new Database(file, { readonly: true });
    try {
      const row = db.prepare('SELECT sid, sess, expire FROM sessions WHERE sid = ?').get(id) as
        | { sid: string; sess: string; expire: string }
        | undefined;
      expect(row?.sid).toBe(id);
      expect(JSON.parse(row?.sess ?? '{}')).toMatchObject({ userId: 202, cookie: { httpOnly: true, path: '/' } });
      expect(row?.expire).toBe('2030-01-01T09:30:00.000Z');
    } finally {
      db.close();
    }
  });

  test('logging out deletes the row and expires the connect.sid cookie on Path=/, where the login set it; the old cookie then gets 401', async () => {
    const file = join(dir, 'logout.db');
    const choice = open({ SQLITE_PATH: file });
    const app = createApp({ store: choice.store, secret: SECRET });
    const { header, id, cookie } = await logIn(app, 203);
    expect(cookie.path).toBe('/');
    const logout = await request(app).post('/logout').set('Cookie', header);
    expect(logout.status).toBe(200);
    expect(logout.text).toBe('Logged out');
    const cleared = requireCookie(logout, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    // A browser drops a cookie only when name, path and domain match the one it holds.
    expect(cleared.path).toBe('/');
    expect(cleared.domain).toBeUndefined();
    expect(cleared.httpOnly).toBe(true);
    expect(cleared.sameSite).toBe('Lax');
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE sid = ?').get(id)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    await request(app).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
  });

  test('an expired session is not returned (401), and the cleanup every 15 minutes deletes its row', async () => {
    const file = join(dir, 'expiry.db');
    // The store compares expiry dates with SQLite's own clock, so the login happens an hour ago
    // (Date faked) and its session expired half an hour ago. setInterval is faked to run the cleanup.
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: now - 60 * MINUTE });
    try {
      const app = createApp({ store: open({ SQLITE_PATH: file }).store, secret: SECRET });
      const { header } = await logIn(app, 204);
      vi.setSystemTime(now);
      await request(app).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
      expect(sessionRows(file)).toBe(1); // not returned, but still on disk
      vi.advanceTimersByTime(15 * MINUTE - 1);
      expect(sessionRows(file)).toBe(1);
      vi.advanceTimersByTime(1);
      expect(sessionRows(file)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  // Each child lists what keeps its event loop alive (process.getActiveResourcesInfo(): only
  // referenced handles and timers) before and right after creating the store: a deterministic
  // reading of why it will or will not exit, instead of waiting seconds to see.
  const report =
    "const before = process.getActiveResourcesInfo(); new Store({ client: new Database(':memory:') }); console.log(JSON.stringify({ before, after: process.getActiveResourcesInfo() }));";
  const timers = (resources: string[]) => resources.filter((r) => r === 'Timeout').length;

  test("the published store's cleanup timer keeps a process alive; the snippet's subclass lets it exit", {
    timeout: 30_000,
  }, async () => {
    const folder = await tempFolder('chapter-20-');
    try {
      const snippet = await transpiledSnippet(folder.path);
      const [published, fixed] = await Promise.all([
        runNode(
          [
            '--input-type=module',
            '-e',
            `import Database from 'better-sqlite3'; import factory from 'better-sqlite3-session-store'; import session from 'express-session'; const Store = factory(session); ${report}`,
          ],
          {},
          300,
          '\n',
        ),
        runNode(
          [
            '--input-type=module',
            '-e',
            `import Database from 'better-sqlite3'; import { SqliteStore as Store } from '${snippet}'; ${report}`,
          ],
          {},
          12_000,
          '\n',
        ),
      ]);
      const seen = (run: { stdout: string }) => JSON.parse(run.stdout) as { before: string[]; after: string[] };
      // The published store adds one referenced timer (its setInterval): the process cannot end.
      expect(timers(seen(published).after)).toBe(timers(seen(published).before) + 1);
      expect(published.code).toBeNull(); // still running 300 ms after its report: it had to be killed
      // The subclass's timer is unref'd: nothing new holds the process, and it exits by itself.
      expect(timers(seen(fixed).after)).toBe(timers(seen(fixed).before));
      expect(fixed.code).toBe(0);
    } finally {
      await folder.remove();
    }
  });
});

describe('SQLite without GPL code (connect-session-knex over knex and better-sqlite3)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch20-knex-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const knexEnv = (file: string) => ({ SQLITE_PATH: file, SQLITE_STORE: 'knex' });
  /** The knex store as the snippet builds it from SQLITE_PATH and SQLITE_STORE=knex. */
  const knexStore = (file: string) => open(knexEnv(file)).store as KnexStore;

  /** Resolves when the store's next cleanup (a DELETE of expired rows) has run. */
  function cleanupDone(store: ConnectSessionKnexStore): Promise<void> {
    const db = store.options.knex;
    return new Promise((resolve) => {
      const seen = (_response: unknown, query: { method?: string; sql?: string }) => {
        if (query.method !== 'del' || !query.sql?.includes('datetime(expired) <')) return;
        db.off('query-response', seen);
        resolve();
      };
      db.on('query-response', seen);
    });
  }

  test('SQLITE_STORE=knex with SQLITE_PATH selects connect-session-knex and puts the file in WAL mode', async () => {
    const file = join(dir, 'select.db');
    const choice = open(knexEnv(file));
    expect(choice.kind).toBe('sqlite-knex');
    expect(choice.store).toBeInstanceOf(KnexStore);
    await logIn(createApp({ store: choice.store, secret: SECRET }), 401);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    // SQLITE_STORE alone chooses nothing: without SQLITE_PATH the app stays on memory.
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(storeFromEnv({ SQLITE_STORE: 'knex', NODE_ENV: 'development' }).kind).toBe('memory');
    } finally {
      warned.mockRestore();
    }
  });

  test('connect-session-knex is ISC; knex and better-sqlite3 are MIT', () => {
    expect(['connect-session-knex', 'knex', 'better-sqlite3'].map(licence)).toEqual(['ISC', 'MIT', 'MIT']);
  });

  test('on the knex store, after a restart on the same file the old cookie still works', async () => {
    const file = join(dir, 'restart.db');
    const before = open(knexEnv(file));
    const first = await servers.start(createApp({ store: before.store, secret: SECRET }));
    const { header } = await logIn(first.server, 402);
    await first.close();
    await before.close();
    const restarted = await servers.start(createApp({ store: knexStore(file), secret: SECRET }));
    const res = await request(restarted.server).get('/profile').set('Cookie', header);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 402');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('the knex store creates its own sessions table (sid, sess, expired, an index on expired); the row holds the data as JSON and an expiry 30 minutes out', async () => {
    const file = join(dir, 'row.db');
    const store = knexStore(file);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2030-01-01T09:00:00.000Z') });
    const { id } = await logIn(createApp({ store, secret: SECRET }), 403).finally(() => vi.useRealTimers());
    const db = new Database(file, { readonly: true });
    try {
      const columns = db.prepare("SELECT name FROM pragma_table_info('sessions') ORDER BY cid").all();
      expect(columns).toEqual([{ name: 'sid' }, { name: 'sess' }, { name: 'expired' }]);
      const indexed = db.prepare("SELECT name FROM pragma_index_info('sessions_expired_index')").all();
      expect(indexed).toEqual([{ name: 'expired' }]);
      const row = db.prepare('SELECT sess, expired FROM sessions WHERE sid = ?').get(id) as
        | { sess: string; expired: string }
        | undefined;
      expect(JSON.parse(row?.sess ?? '{}')).toMatchObject({ userId: 403, cookie: { httpOnly: true, path: '/' } });
      expect(row?.expired).toBe('2030-01-01T09:30:00.000Z');
    } finally {
      db.close();
    }
  });

  test('on the knex store, logging out deletes the row and the old cookie then gets 401', async () => {
    const file = join(dir, 'logout.db');
    const app = createApp({ store: knexStore(file), secret: SECRET });
    const { header } = await logIn(app, 404);
    await logIn(app, 405); // another user's row, which must stay
    expect(sessionRows(file)).toBe(2);
    const logout = await request(app).post('/logout').set('Cookie', header);
    expect(logout.status).toBe(200);
    expect(requireCookie(logout, 'connect.sid').expires?.getTime()).toBe(0);
    expect(sessionRows(file)).toBe(1);
    await request(app).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
  });

  test('on the knex store, an expired session is not returned (401); its row is deleted every minute and when a store starts on the file', async () => {
    const file = join(dir, 'expiry.db');
    const now = Date.now();
    // The login happens an hour ago (Date faked), so its session expired half an hour ago; the
    // store's cleanup is a setTimeout, faked so that a minute passes at once.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: now - 60 * MINUTE });
    try {
      const store = knexStore(file);
      const app = createApp({ store, secret: SECRET });
      const { header } = await logIn(app, 406);
      vi.setSystemTime(now);
      await request(app).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
      expect(sessionRows(file)).toBe(1); // not returned, but still on disk
      const cleaned = cleanupDone(store);
      await vi.advanceTimersByTimeAsync(MINUTE);
      await cleaned;
      expect(sessionRows(file)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    // Again with real timers: an expired row written by one store is deleted by the next one's start.
    const first = open(knexEnv(join(dir, 'start.db')));
    vi.useFakeTimers({ toFake: ['Date'], now: now - 60 * MINUTE });
    await logIn(createApp({ store: first.store, secret: SECRET }), 407).finally(() => vi.useRealTimers());
    await first.close();
    expect(sessionRows(join(dir, 'start.db'))).toBe(1);
    await cleanupDone(knexStore(join(dir, 'start.db')));
    expect(sessionRows(join(dir, 'start.db'))).toBe(0);
  });

  test('after close(), the knex store runs no more cleanups (none fails on the closed pool a minute later)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const choice = storeFromEnv(knexEnv(join(dir, 'close.db')));
      const store = choice.store as ConnectSessionKnexStore;
      const started = cleanupDone(store);
      await logIn(createApp({ store, secret: SECRET }), 408);
      await started;
      await choice.close();
      await vi.advanceTimersByTimeAsync(2 * MINUTE);
      expect(failed).not.toHaveBeenCalled();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      failed.mockRestore();
      vi.useRealTimers();
    }
  });

  test('the two SQLite stores cannot share a table: on a file the other store made, every knex-store login answers 500 and its cleanup fails', async () => {
    const file = join(dir, 'shared.db');
    open({ SQLITE_PATH: file }); // better-sqlite3-session-store creates its sessions table (column expire)
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const store = knexStore(file);
      await expect(store.ready).resolves.toBeUndefined(); // the table exists, so it is not created again
      const res = await request(createApp({ store, secret: SECRET }))
        .post('/login')
        .type('form')
        .send({ userId: '409' });
      expect(res.status).toBe(500);
      expect(res.text).not.toContain('Logged in');
      // Its cleanup fails too, and says why on stderr.
      await vi.waitFor(() => expect(String(failed.mock.calls[0]?.[0])).toContain('no such column: expired'), {
        timeout: 20_000,
      });
    } finally {
      failed.mockRestore();
    }
  });

  test('on the knex store, when the database refuses to touch a session, the request is still answered instead of hanging', async () => {
    const file = join(dir, 'touch.db');
    const app = createApp({ store: knexStore(file), secret: SECRET });
    const { header } = await logIn(app, 410);
    const db = new Database(file);
    try {
      // A request that changes nothing only touches the row: an UPDATE, which this trigger refuses.
      db.exec("CREATE TRIGGER refuse_touch BEFORE UPDATE ON sessions BEGIN SELECT RAISE(ABORT, 'touch refused'); END");
    } finally {
      db.close();
    }
    const res = await request(app).get('/profile').set('Cookie', header);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 410');
  });

  test("a database error on the published store also rejects a promise nobody awaits, which ends Node; the snippet's KnexStore hands it only to the callback", {
    timeout: 30_000,
  }, async () => {
    const folder = await tempFolder('chapter-20-knex-');
    try {
      const snippet = await transpiledSnippet(folder.path);
      // Each child closes the pool, then saves a session: the save fails, the callback says so.
      // (No cleanup timer, whose start-up run could race the closing pool.)
      const setup =
        "import knex from 'knex'; const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true }); const store = new Store({ knex: db, cleanupInterval: 0 }); await store.ready; await db.destroy(); store.set('sid', { cookie: { maxAge: 60000 } }, (err) => console.log(err ? 'callback: error' : 'callback: ok'));";
      const [published, fixed] = await Promise.all([
        runNode(
          [
            '--input-type=module',
            '-e',
            `import { ConnectSessionKnexStore as Store } from 'connect-session-knex'; ${setup}`,
          ],
          {},
          12_000,
        ),
        runNode(['--input-type=module', '-e', `import { KnexStore as Store } from '${snippet}'; ${setup}`], {}, 12_000),
      ]);
      expect(published.stdout).toBe('callback: error\n');
      expect(published.stderr).toContain('Unable to acquire a connection');
      expect(published.code).toBe(1); // the unhandled rejection ended the process
      expect(fixed.stdout).toBe('callback: error\n');
      expect(fixed.code).toBe(0);
    } finally {
      await folder.remove();
    }
  });

  test('the knex store keeps a process alive until close() destroys its connection pool; then the process exits', {
    timeout: 30_000,
  }, async () => {
    const folder = await tempFolder('chapter-20-knex-');
    try {
      const snippet = await transpiledSnippet(folder.path);
      const child = (close: boolean) =>
        `import { storeFromEnv } from '${snippet}'; const choice = storeFromEnv({ SQLITE_PATH: ':memory:', SQLITE_STORE: 'knex' }); await new Promise((done) => choice.store.set('sid', { cookie: { maxAge: 60000 } }, done)); ${close ? 'await choice.close(); ' : ''}console.log('used');`;
      const [open, closed] = await Promise.all([
        runNode(['--input-type=module', '-e', child(false)], {}, 300, '\n'),
        runNode(['--input-type=module', '-e', child(true)], {}, 12_000, '\n'),
      ]);
      expect(open.stdout).toBe('used\n');
      expect(open.code).toBeNull(); // still running 300 ms after it was done: it had to be killed
      expect(closed.stdout).toBe('used\n');
      expect(closed.stderr).toBe('');
      expect(closed.code).toBe(0);
    } finally {
      await folder.remove();
    }
  });
});

describe('Redis (connect-redis + redis): shared by every process', () => {
  let redis: RedisHandle | undefined;
  beforeAll(async () => {
    if (!skipRedis) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A Redis-backed store as the snippet builds it, with its own key prefix so tests never collide. */
  function redisStore(prefix: string): StoreChoice {
    if (!redis) throw new Error('Redis is not running');
    return open({ REDIS_URL: redis.url, REDIS_PREFIX: prefix });
  }

  test.skipIf(skipRedis)('REDIS_URL selects the Redis store', () => {
    expect(redisStore(`ch20:${randomUUID()}:`).kind).toBe('redis');
  });

  test.skipIf(skipRedis)(
    'two app servers behind one Redis share sessions, and a restart of one in the middle loses nothing',
    async () => {
      const prefix = `ch20:${randomUUID()}:`;
      const storeA = redisStore(prefix);
      const a = await servers.start(createApp({ store: storeA.store, secret: SECRET }));
      const b = await servers.start(createApp({ store: redisStore(prefix).store, secret: SECRET }));
      expect(a.server.address()).not.toEqual(b.server.address());
      const { header } = await logIn(a.server, 301);
      const onB = await request(b.server).get('/profile').set('Cookie', header);
      expect(onB.status).toBe(200);
      expect(onB.text).toBe('User profile for user ID: 301');
      // Restart A: close the server and its Redis connection, then start a fresh one.
      await a.close();
      await storeA.close();
      expect((storeA.store as RedisStore).client.isOpen).toBe(false);
      const restartedA = await servers.start(createApp({ store: redisStore(prefix).store, secret: SECRET }));
      const onNewA = await request(restartedA.server).get('/profile').set('Cookie', header);
      expect(onNewA.status).toBe(200);
      expect(onNewA.text).toBe('User profile for user ID: 301');
      // Logging out on B ends the session everywhere.
      await request(b.server).post('/logout').set('Cookie', header).expect(200, 'Logged out');
      await request(restartedA.server).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
    },
  );

  test.skipIf(skipRedis)(
    'Redis holds the session as JSON under prefix + session ID, with a TTL of 30 minutes',
    async () => {
      const prefix = `ch20:${randomUUID()}:`;
      const { id } = await logIn(createApp({ store: redisStore(prefix).store, secret: SECRET }), 302);
      const client = createClient({ url: redis?.url ?? '' });
      await client.connect();
      try {
        const raw = await client.get(prefix + id);
        expect(JSON.parse(raw ?? '{}')).toMatchObject({ userId: 302, cookie: { httpOnly: true, path: '/' } });
        const ttl = await client.ttl(prefix + id);
        expect(ttl).toBeGreaterThan(29 * 60);
        expect(ttl).toBeLessThanOrEqual(30 * 60);
      } finally {
        await client.close();
      }
    },
  );

  test.skipIf(skipRedis)(
    "a request that changes nothing moves the key's TTL back to 30 minutes (touch is an EXPIRE) and leaves the data",
    async () => {
      const prefix = `ch20:${randomUUID()}:`;
      const app = createApp({ store: redisStore(prefix).store, secret: SECRET });
      const { header, id } = await logIn(app, 303);
      const client = createClient({ url: redis?.url ?? '' });
      await client.connect();
      try {
        await client.expire(prefix + id, 60); // as if 29 minutes had passed
        const res = await request(app).get('/profile').set('Cookie', header);
        expect(res.status).toBe(200);
        expect(res.text).toBe('User profile for user ID: 303');
        expect(await client.ttl(prefix + id)).toBeGreaterThan(29 * 60);
        expect(JSON.parse((await client.get(prefix + id)) ?? '{}')).toMatchObject({ userId: 303 });
      } finally {
        await client.close();
      }
    },
  );

  test.skipIf(skipRedis)("close() ends the store's Redis connection, and a second close() does nothing", async () => {
    const choice = storeFromEnv({ REDIS_URL: redis?.url ?? '', REDIS_PREFIX: `ch20:${randomUUID()}:` });
    const { client } = choice.store as RedisStore;
    await logIn(createApp({ store: choice.store, secret: SECRET }), 304); // the connection is up and used
    expect(client.isOpen).toBe(true);
    await choice.close();
    expect(client.isOpen).toBe(false);
    await expect(choice.close()).resolves.toBeUndefined();
  });
});

describe("the snippet's cookie, guards and session handling (on a MemoryStore)", () => {
  test('the login cookie: HttpOnly, SameSite=Lax, Path=/, expires 30 minutes after the login, no Secure, no Domain', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2030-01-01T09:00:00.000Z') });
    const { cookie } = await logIn(createApp({ store: new MemoryStore(), secret: SECRET }), 42).finally(() =>
      vi.useRealTimers(),
    );
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.expires?.toISOString()).toBe('2030-01-01T09:30:00.000Z');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
  });

  test('an anonymous request gets no cookie and leaves the store empty (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const res = await request(createApp({ store, secret: SECRET })).get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('a request that changes nothing does not write the session back (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ store, secret: SECRET });
    const { header } = await logIn(app, 105);
    store.writes = 0;
    await request(app).get('/profile').set('Cookie', header).expect(200, 'User profile for user ID: 105');
    expect(store.writes).toBe(0);
  });

  test('a login with a userId that is not a positive integer is refused with 400: no session, no cookie', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    for (const userId of ['abc', '0', '-5', '1.5', '1e400', '9007199254740993']) {
      const res = await request(app).post('/login').type('form').send({ userId });
      expect(res.status).toBe(400);
      expect(res.text).toBe('userId must be a positive integer');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
  });

  test('logging in again moves the client to a new session ID; the old ID is gone and opens nothing', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const first = await logIn(app, 106);
    const res = await request(app).post('/login').set('Cookie', first.header).type('form').send({ userId: '107' });
    expect(res.status).toBe(200);
    const second = signedSessionId(requireCookie(res, 'connect.sid').value).id;
    expect(second).not.toBe(first.id);
    expect(await storedSession(store, first.id)).toBeUndefined();
    await request(app).get('/profile').set('Cookie', first.header).expect(401, 'Not logged in');
  });

  test('when the store fails during the login (deleting the old session or saving the new one), the client gets a 500 and nobody is logged in', async () => {
    for (const op of ['destroy', 'set'] as const) {
      const store = new FailingStore();
      const app = createApp({ store, secret: SECRET });
      store.failing.add(op);
      const res = await request(app).post('/login').type('form').send({ userId: '108' });
      expect(res.status).toBe(500);
      expect(res.text).not.toContain('Logged in');
      store.failing.clear();
      const issued = cookieNamed(res, 'connect.sid');
      if (issued) await request(app).get('/profile').set('Cookie', cookiePair(issued)).expect(401, 'Not logged in');
    }
  });

  test('when the store cannot delete the session, the logout answers 500, clears no cookie, and the session still works', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    const { header } = await logIn(app, 109);
    store.failing.add('destroy');
    const res = await request(app).post('/logout').set('Cookie', header);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged out');
    expect(res.headers['set-cookie']).toBeUndefined();
    store.failing.clear();
    await request(app).get('/profile').set('Cookie', header).expect(200, 'User profile for user ID: 109');
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').expect(200),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ store: new MemoryStore(), secret: SECRET }),
  path: '/profile',
  login: async (app) => (await logIn(app, 42)).header,
});
