// Destroying sessions: a logout that deletes the session on the server and the cookie in the browser.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type CookieOptions, type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
declare module 'express-session' {
  interface SessionData {
    userId: number;
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

// #region cookie
// One name and one set of cookie options, used both to set the cookie and to clear it:
// a browser only deletes a cookie when the clearing Set-Cookie matches its name, path and domain.
export const SESSION_COOKIE_NAME = 'connect.sid';
export function sessionCookieOptions(): CookieOptions {
  return {
    path: '/',
    httpOnly: true, // page scripts never see the session ID
    sameSite: 'lax',
    secure: process.env.NODE_ENV === 'production', // HTTPS only in production
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
      resave: false, // an unchanged session is not written back on every request
      saveUninitialized: false, // no cookie and no stored session until someone logs in
    }),
  );
  // #endregion session

  // #region login
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 1;
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('User logged in, session data stored');
      });
    });
  });

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).send('User not logged in');
      return;
    }
    res.send(`User profile for user ID: ${req.session.userId}`);
  });
  // #endregion login

  // #region logout
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      // The session is still in the store: report the failure and keep the cookie, so the user
      // knows the logout did not happen and can try again.
      if (err) return next(err);
      // Tell the browser to drop the cookie: same name, same path and domain as when it was set.
      res.clearCookie(SESSION_COOKIE_NAME, cookie);
      res.send('User logged out, session destroyed');
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
