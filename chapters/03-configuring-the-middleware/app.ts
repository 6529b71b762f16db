// Configuring express-session: the article's options, corrected for a real deployment.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

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
  /** Send the cookie only over HTTPS; the default is on in production. */
  secure?: boolean;
}

// #region secret
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
// #endregion secret

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  secure = process.env.NODE_ENV === 'production',
}: AppOptions = {}): Express {
  const app = express();

  // #region config
  app.use(
    session({
      secret, // from SESSION_SECRET, never from the source code
      store,
      resave: false, // do not write an unchanged session back on every request
      saveUninitialized: false, // no cookie and no stored session until the app puts something in it
      cookie: {
        httpOnly: true, // the default, stated: page scripts cannot read the session cookie
        sameSite: 'lax', // not sent with cross-site POSTs or fetches, only on top-level navigations (chapter 11)
        // HTTPS only in production. Behind a TLS-terminating proxy, also trust that proxy by its address,
        // e.g. app.set('trust proxy', 'loopback') when it runs on the same machine (chapter 12).
        secure,
      },
    }),
  );
  // #endregion config

  // #region routes
  app.get('/', (_req, res) => {
    res.send('Welcome'); // never touches req.session
  });

  app.get('/views', (req, res) => {
    res.send(`Views: ${req.session.views ?? 0}`); // reads, does not change
  });

  app.post('/views', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1; // the first change creates the session
    res.send(`Views: ${req.session.views}`);
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
