// Choosing a session store: Redis for several processes, SQLite for one machine, memory for tests.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import sqliteStoreFactory from 'better-sqlite3-session-store';
import { RedisStore } from 'connect-redis';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import express, { type Express } from 'express';
import session, { MemoryStore, type SessionData, type Store } from 'express-session';
import knex from 'knex';
import { createClient } from 'redis';

// #region types
declare module 'express-session' {
  interface SessionData {
    userId: number;
  }
}
// #endregion types

// #region sqlite
const PublishedSqliteStore = sqliteStoreFactory(session);

/**
 * better-sqlite3-session-store with two fixes: its cleanup timer no longer keeps the process
 * alive (the published one cannot be turned off and is never unref'd), and close() stops it.
 */
export class SqliteStore extends PublishedSqliteStore {
  // `declare`: the base constructor calls startInterval() before a class field would be set.
  declare private timer: NodeJS.Timeout | undefined;

  override startInterval(): void {
    this.timer = setInterval(() => this.clearExpiredSessions(), this.expired.intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
// #endregion sqlite

// #region knex
/**
 * connect-session-knex with one fix: its methods hand a database error to the callback and also
 * return it as a rejected promise, which express-session ignores, so Node would end the process
 * (unhandled rejection); touch() never calls its callback on an error, so the request would hang.
 */
export class KnexStore extends ConnectSessionKnexStore {
  override get(sid: string, cb: (err: unknown, session?: SessionData | null) => void) {
    return super.get(sid, cb).catch(() => null); // cb has had the error
  }

  override set(sid: string, session: SessionData, cb?: (err?: unknown) => void) {
    return super.set(sid, session, cb).catch(() => undefined);
  }

  override destroy(sid: string, cb?: (err?: unknown) => void) {
    return super.destroy(sid, cb).catch(() => 0);
  }

  override touch(sid: string, session: SessionData, cb?: (err?: unknown) => void) {
    return super.touch(sid, session).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }
}

/** SQLite without GPL code: connect-session-knex (ISC) over knex and better-sqlite3 (MIT). */
export function knexSqliteStore(file: string): StoreChoice {
  const db = knex({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      afterCreate: (conn: Database, done: (err: Error | null, conn: Database) => void) => {
        conn.pragma('journal_mode = WAL'); // readers do not block the writer
        done(null, conn);
      },
    },
  });
  // Creates the sessions table if missing; deletes expired rows at start, then every minute.
  const store = new KnexStore({ knex: db });
  return {
    kind: 'sqlite-knex',
    store,
    close: async () => {
      clearTimeout(store.nextDbCleanup); // the next cleanup would fail on a closed pool
      await db.destroy(); // the pool's timer keeps the process alive until then
    },
  };
}
// #endregion knex

// #region choose
export interface StoreChoice {
  kind: 'redis' | 'sqlite' | 'sqlite-knex' | 'memory';
  store: Store;
  /** Releases the connection (Redis) or the database file (SQLite). */
  close(): Promise<void>;
}

/**
 * REDIS_URL -> Redis, SQLITE_PATH -> SQLite (with SQLITE_STORE=knex, the store without GPL code),
 * otherwise memory (refused in production).
 */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): StoreChoice {
  if (env.REDIS_URL) {
    const client = createClient({ url: env.REDIS_URL });
    client.on('error', (err: unknown) => console.error('Redis client error:', err));
    // Commands wait in the client's queue until the connection is up.
    client.connect().catch((err: unknown) => console.error('Redis connection failed:', err));
    return {
      kind: 'redis',
      store: new RedisStore({ client, prefix: env.REDIS_PREFIX ?? 'sess:' }),
      close: async () => {
        if (client.isOpen) await client.close();
      },
    };
  }
  if (env.SQLITE_PATH && env.SQLITE_STORE === 'knex') return knexSqliteStore(env.SQLITE_PATH);
  if (env.SQLITE_PATH) {
    const db = new Database(env.SQLITE_PATH);
    db.pragma('journal_mode = WAL'); // readers do not block the writer
    const store = new SqliteStore({ client: db });
    return {
      kind: 'sqlite',
      store,
      close: async () => {
        store.close();
        db.close();
      },
    };
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('Set REDIS_URL or SQLITE_PATH: the in-memory session store loses every session on restart');
  }
  console.warn('No REDIS_URL or SQLITE_PATH: sessions are kept in memory and lost on every restart');
  return { kind: 'memory', store: new MemoryStore(), close: async () => {} };
}
// #endregion choose

export interface AppOptions {
  /** Where sessions live; by default chosen from the environment (see storeFromEnv). */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
}

/** The signing secret: from the environment, with a development-only fallback. */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url'); // per start: sessions end on restart
}

export function createApp({ store = storeFromEnv().store, secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  // #region session
  app.use(
    session({
      secret,
      store, // the only line that changes between memory, SQLite and Redis
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 30 * 60 * 1000, httpOnly: true, sameSite: 'lax' },
    }),
  );
  // #endregion session

  // #region routes
  app.use(express.urlencoded({ extended: false }));

  app.post('/login', (req, res, next) => {
    // Stands in for a password check: the body names the user, e.g. userId=42.
    const userId = Number((req.body as Record<string, unknown> | undefined)?.userId ?? 42);
    if (!Number.isSafeInteger(userId) || userId < 1) {
      res.status(400).send('userId must be a positive integer');
      return;
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = userId;
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('Logged in');
      });
    });
  });

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`User profile for user ID: ${req.session.userId}`);
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('connect.sid', { httpOnly: true, sameSite: 'lax' });
      res.send('Logged out');
    });
  });
  // #endregion routes

  return app;
}

// #region listen
// Listen only when this file is run directly (`npx tsx app.ts`), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().listen(port, (error) => {
    // Express 5 hands a listen error (a port in use, say) to this callback: say it and exit non-zero.
    if (error) {
      console.error(`Cannot listen on port ${port}: ${error.message}`);
      process.exit(1);
    }
    console.log(`Listening on http://localhost:${port}`);
  });
}
// #endregion listen
