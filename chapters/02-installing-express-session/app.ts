// Installing express-session: the smallest app that mounts the middleware and uses a session.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
// #region import
// With @types/express-session installed, this import is typed; without it, strict TypeScript
// refuses it (TS7016).
import session, { MemoryStore, type Store } from 'express-session';
// #endregion import

// #region types
declare module 'express-session' {
  interface SessionData {
    views: number;
  }
}
// #endregion types

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
}

/**
 * The signing secret comes from the environment. Outside production a random one is made per start
 * (sessions then end on restart), so no secret is ever written in the source.
 */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url');
}

export function createApp({ store = new MemoryStore(), secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  // #region mount
  // session(options) is a factory: it returns the middleware that Express mounts.
  app.use(
    session({
      secret, // required: without it every request fails with a 500
      store,
      resave: false,
      saveUninitialized: false,
    }),
  );

  app.get('/', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(`Views: ${req.session.views}`);
  });

  // Reads the session without changing it.
  app.get('/views', (req, res) => {
    res.send(`Views so far: ${req.session.views ?? 0}`);
  });
  // #endregion mount

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
