// What cookies and sessions are: the browser keeps a signed session ID, the server keeps the data.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
// Tell TypeScript what this app keeps in a session (see the chapter on typing session data).
declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
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

  // #region session
  app.use(
    session({
      secret, // signs the cookie; the data never leaves the server
      store, // where the data lives, keyed by session ID
      resave: false,
      saveUninitialized: false,
    }),
  );
  // #endregion session

  // #region routes
  app.post('/login', (req, res, next) => {
    // A new session ID on login (see the chapter on session fixation), then the data.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 42;
      req.session.username = 'ada';
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
    res.send(`Hello ${req.session.username}, your user ID is ${req.session.userId}`);
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
