// Session fixation: give the session a new ID at login, so an ID known before login is worthless after.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
    views: number;
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

export function createApp({ store = new MemoryStore(), secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  app.use(
    session({
      secret,
      store,
      resave: false,
      saveUninitialized: false, // no session (and no ID) until there is something to keep
      // HttpOnly and SameSite=Lax always; Secure (HTTPS only) in production, see chapters 11 and 12.
      cookie: { httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production' },
    }),
  );

  // #region visit
  // A page that uses the session before anyone logs in (a visit counter, a cart...): visiting it
  // is enough to be handed a session ID, which is all an attacker needs for fixation.
  app.get('/', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(`Visits this session: ${req.session.views}`);
  });
  // #endregion visit

  // #region login
  app.post('/login', (req, res, next) => {
    // 1. Throw the pre-login session away and start one with a fresh ID.
    req.session.regenerate((err) => {
      if (err) return next(err);
      // 2. Only now store who the user is (copy any pre-login data you want to keep here).
      req.session.userId = 42;
      req.session.username = 'ada';
      // 3. Save before answering, so the next request finds the logged-in session.
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('Logged in');
      });
    });
  });
  // #endregion login

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`Hello ${req.session.username}, your user ID is ${req.session.userId}`);
  });

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
