// Expiry: an idle timeout the cookie carries, renewed on activity, plus an absolute limit the server enforces.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** When the user logged in (ms since the epoch), for the absolute limit. */
    createdAt: number;
  }
}
// #endregion types

/** A session ends after this long without a request... */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** ...and, however active the user is, this long after login. */
export const ABSOLUTE_TIMEOUT_MS = 8 * 60 * 60 * 1000;

export const SESSION_COOKIE = 'connect.sid';

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
  /** Idle timeout: the cookie's lifetime, renewed on every response when `rolling`. */
  idleTimeoutMs?: number;
  /** Absolute limit on a session's age, counted from login. */
  absoluteTimeoutMs?: number;
  /** Renew the cookie on every response (the default here), or only when the session changes. */
  rolling?: boolean;
}

/** The signing secret: from the environment; outside production, a random one per start. */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url'); // development: a new secret each start
}

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  idleTimeoutMs = IDLE_TIMEOUT_MS,
  absoluteTimeoutMs = ABSOLUTE_TIMEOUT_MS,
  rolling = true,
}: AppOptions = {}): Express {
  const app = express();

  // #region session
  app.use(
    session({
      name: SESSION_COOKIE,
      secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling, // send the cookie again on every response, with a fresh expiry date
      cookie: {
        maxAge: idleTimeoutMs, // becomes the cookie's Expires, and the store's expiry
        httpOnly: true,
        sameSite: 'lax',
      },
    }),
  );
  // #endregion session

  // #region absolute
  // However recently the user was active, a session older than the absolute limit is over.
  app.use((req, res, next) => {
    const createdAt = req.session.createdAt;
    if (createdAt === undefined || Date.now() - createdAt < absoluteTimeoutMs) {
      next();
      return;
    }
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
      res.status(401).send('Session expired, please log in again');
    });
  });
  // #endregion absolute

  // #region routes
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 1;
      req.session.createdAt = Date.now();
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('Logged in');
      });
    });
  });

  app.get('/profile', (req, res) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`User profile for user ID: ${userId}`);
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
