// Logging out for real: destroy the session on the server AND clear the cookie in the browser.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type CookieOptions, type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
  }
}

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

// #region cookie
// One name and one set of options, used both to set the cookie and to clear it.
export const SESSION_COOKIE_NAME = 'sid';
export function sessionCookieOptions(): CookieOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.NODE_ENV === 'production', // HTTPS only in production (see chapter 12)
  };
}
// #endregion cookie

export function createApp({ store = new MemoryStore(), secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  // #region session
  const cookie = sessionCookieOptions(); // read when the app is built: NODE_ENV at start-up decides
  app.use(
    session({
      name: SESSION_COOKIE_NAME,
      cookie,
      secret,
      store,
      resave: false,
      saveUninitialized: false,
    }),
  );
  // #endregion session

  app.post('/login', (req, res, next) => {
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

  // #region logout
  app.post('/logout', (req, res, next) => {
    // 1. Delete the session from the store: the ID now points at nothing.
    req.session.destroy((err) => {
      if (err) return next(err);
      // 2. Tell the browser to drop the cookie: same name, same path and domain (and the same
      //    secure/sameSite/httpOnly, so the clearing header is accepted wherever the cookie was).
      res.clearCookie(SESSION_COOKIE_NAME, cookie);
      res.send('Logged out');
    });
  });
  // #endregion logout

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
