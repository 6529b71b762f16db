// The session secret comes from the environment, is checked at start-up, and can be rotated.
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

/** The environment variables this app reads; `process.env` by default. */
export type Env = Record<string, string | undefined>;

export interface Config {
  /** Newest first: the first signs new cookies, all of them are accepted. */
  secrets: string[];
  /** Problems worth a line in the log that do not stop the app outside production. */
  warnings: string[];
}

// #region config
/** Secrets published in tutorials and READMEs: anyone can sign a cookie with them. */
export const PUBLIC_SECRETS = ['your_secret_key', 'keyboard cat', 'secret', 'changeme', 'change-me'];

/** The shortest secret accepted in production (32 characters is 24 random bytes in base64). */
export const MIN_SECRET_LENGTH = 32;

/**
 * Reads SESSION_SECRET (signs new cookies) and SESSION_PREVIOUS_SECRETS (comma-separated, still
 * accepted while cookies signed with them may live). Throws when production is misconfigured.
 */
export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const current = env.SESSION_SECRET?.trim() ?? '';
  const previous = (env.SESSION_PREVIOUS_SECRETS ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  const warnings: string[] = [];

  if (current === '') {
    if (production) {
      throw new Error('SESSION_SECRET must be set in production (generate one with: openssl rand -base64 32)');
    }
    // Never a secret written in the source: a random one, so sessions just do not survive a restart.
    warnings.push('SESSION_SECRET is not set: using a random secret, sessions end when the process restarts');
    return { secrets: [randomBytes(32).toString('base64url'), ...previous], warnings };
  }

  for (const secret of [current, ...previous]) {
    if (PUBLIC_SECRETS.includes(secret.toLowerCase())) {
      throw new Error('a session secret is a well-known placeholder: anyone could sign cookies with it');
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      const message = `a session secret is shorter than ${MIN_SECRET_LENGTH} characters`;
      if (production) throw new Error(message);
      warnings.push(message);
    }
  }
  return { secrets: [current, ...previous], warnings };
}
// #endregion config

export interface AppOptions {
  /** The environment to read the configuration from; tests pass their own. */
  env?: Env;
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** Where configuration warnings go; the default is console.warn. */
  warn?: (message: string) => void;
}

export function createApp({
  env = process.env,
  store = new MemoryStore(),
  warn = console.warn,
}: AppOptions = {}): Express {
  // #region startup
  const { secrets, warnings } = loadConfig(env); // throws before anything listens
  for (const warning of warnings) warn(warning);
  // #endregion startup

  const app = express();

  // #region session
  app.use(
    session({
      secret: secrets, // [current, ...previous]: signs with the first, accepts every one
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
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
