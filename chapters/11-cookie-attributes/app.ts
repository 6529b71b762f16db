// The session cookie's attributes: each one closes a different way of losing the session.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { type CookieOptions, MemoryStore, type Store } from 'express-session';

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
  /** The cookie's name; `sid` unless a spec wants to compare. */
  name?: string;
  /** Changes to the recommended cookie options, to see what each attribute does. */
  cookie?: CookieOptions;
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

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  name = 'sid',
  cookie = {},
}: AppOptions = {}): Express {
  const app = express();

  // #region proxy
  // Behind a TLS-terminating proxy on this machine (chapter 12): believe its X-Forwarded-Proto
  // when the request comes from a loopback address (127.0.0.0/8, ::1), from nowhere else.
  app.set('trust proxy', 'loopback');
  // #endregion proxy

  // #region session
  app.use(
    session({
      name, // 'sid': says nothing about the stack, unlike the default 'connect.sid'
      // #region cookie
      cookie: {
        httpOnly: true, // page scripts cannot read it (document.cookie), so an XSS cannot steal it
        secure: true, // sent over HTTPS only; set only on HTTPS requests (see chapter 12 for proxies)
        sameSite: 'lax', // not sent on cross-site subrequests and POSTs; sent when following a link
        path: '/', // the whole site
        // no domain: a host-only cookie, not shared with subdomains
        maxAge: 30 * 60 * 1000, // 30 minutes; express-session sends this as an Expires date
        ...cookie, // a spec's changes, to see what each attribute does (none by default)
      },
      // #endregion cookie
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
