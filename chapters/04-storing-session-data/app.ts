// Storing and reading session data: the article's login and profile, typed and with a fresh
// session ID on login.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
// Declaration merging: tell TypeScript what this app keeps in a session (chapter 16 explains it).
declare module 'express-session' {
  interface SessionData {
    userId: number;
  }
}
// #endregion types

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store, lost when the process ends. */
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

  app.use(
    session({
      secret,
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production' },
    }),
  );

  // #region login
  app.post('/login', (req, res, next) => {
    // Simulate a login; a real app checks credentials and looks the user up first.
    const userId = 1;
    // A new session ID for the logged-in user, so an ID handed out before login is worthless.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = userId;
      // Save before answering: a store error then reaches next(err), a 500, instead of a
      // "logged in" for a session that was never stored.
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('User logged in, session data stored');
      });
    });
  });
  // #endregion login

  // #region profile
  app.get('/profile', (req, res) => {
    const { userId } = req.session; // number | undefined, checked by TypeScript
    if (userId === undefined) {
      res.status(401).send('User not logged in');
      return;
    }
    res.send(`User profile for user ID: ${userId}`);
  });
  // #endregion profile

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
