// resave: false keeps slow requests from overwriting newer session data; touch keeps sessions alive.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express, type Request } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
declare module 'express-session' {
  interface SessionData {
    userId: number;
    views: number;
  }
}
// #endregion types

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
  /** Cookie and session lifetime in ms (30 minutes by default). */
  maxAge?: number;
  /** Re-send the cookie on every response (see the prose for why this snippet leaves it off). */
  rolling?: boolean;
  /** What GET /slow waits for before it answers, standing in for slow work: 150 ms by default. */
  slowGate?: (req: Request) => Promise<void>;
}

/** The signing secret: from the environment, with a development-only fallback. */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url'); // per start: sessions end on restart
}

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  maxAge = 30 * 60 * 1000,
  rolling = false,
  slowGate = () => new Promise((resolve) => setTimeout(resolve, 150)),
}: AppOptions = {}): Express {
  const app = express();

  // #region session
  app.use(
    session({
      secret,
      store, // pick one that implements touch(); MemoryStore, connect-redis and most others do
      resave: false, // never write back a session this request did not change
      saveUninitialized: false,
      rolling, // false: a response that changes nothing sends no cookie (and cannot resend an old one)
      cookie: { maxAge, httpOnly: true, sameSite: 'lax' },
    }),
  );
  // #endregion session

  // #region routes
  app.get('/visit', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(`Visit number ${req.session.views}`);
  });

  app.get('/slow', (req, res, next) => {
    slowGate(req).then(() => res.send(`Slow report for a visitor with ${req.session.views ?? 0} visit(s)`), next);
  });

  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 7;
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
