// Secure cookies behind a proxy: the proxy speaks HTTPS to the browser and plain HTTP to the app,
// so the app must be told whom to believe about the original protocol.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
  }
}

/** What Express accepts for `trust proxy`: a boolean, a hop count, or addresses/subnets. */
export type TrustProxy = boolean | number | string | string[];

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
  /** Who may tell the app the original protocol; the default is `TRUST_PROXY` or the loopback addresses. */
  trustProxy?: TrustProxy;
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

/** `TRUST_PROXY` from the environment: a hop count, `true`/`false`, or a comma-separated address list. */
function trustProxyFromEnv(): TrustProxy {
  const value = process.env.TRUST_PROXY;
  if (value === undefined || value === '') return 'loopback'; // a proxy on the same machine
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  trustProxy = trustProxyFromEnv(),
}: AppOptions = {}): Express {
  const app = express();

  // #region proxy
  // Believe X-Forwarded-Proto (and X-Forwarded-For) only from the proxy's own address.
  app.set('trust proxy', trustProxy);
  // #endregion proxy

  // #region session
  app.use(
    session({
      name: 'sid',
      secret,
      store,
      resave: false,
      saveUninitialized: false,
      // No `proxy` option: express-session follows Express's `trust proxy` (req.secure).
      cookie: {
        secure: true, // the browser sends it over HTTPS only; the app sets it only on HTTPS requests
        httpOnly: true,
        sameSite: 'lax',
      },
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

  // #region connection
  // What the app believes about the request: handy when setting up the proxy.
  app.get('/connection', (req, res) => {
    res.json({ protocol: req.protocol, secure: req.secure, ip: req.ip });
  });
  // #endregion connection

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
