// A hardened app: every hostile request gets a clear, stable answer and no stack trace.
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { pathToFileURL } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
  }
}

export interface AppOptions {
  /** Signing secrets, newest first; the default reads SESSION_SECRET (see the secrets chapter). */
  secrets?: string[];
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** Where unexpected (5xx) errors are reported; the default is console.error. */
  log?: (err: unknown) => void;
}

/** A stand-in for real authentication: the users this demo knows. */
const USERS = new Map<string, number>([
  ['ada', 42],
  ['grace', 43],
]);

// #region themes
const THEMES = ['light', 'dark'];

/** True only for one of the known themes: anything else a client sends is refused or ignored. */
function isTheme(value: unknown): value is string {
  return typeof value === 'string' && THEMES.includes(value);
}
// #endregion themes

function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url');
}

// #region field
/** An own field of a JSON body, or undefined when the body has none (or is no object at all). */
function field(req: Request, name: string): unknown {
  const body: unknown = req.body; // undefined in Express 5 when no parser matched
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}
// #endregion field

// #region errors
/** body-parser's error types, each turned into a short message that reveals nothing internal. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'malformed JSON body',
  'entity.too.large': 'request body too large',
  'charset.unsupported': 'unsupported charset',
  'encoding.unsupported': 'unsupported content encoding',
  'request.size.invalid': 'request size did not match Content-Length',
  'request.aborted': 'request aborted',
};

function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err); // too late for a clean answer: let Express close the connection
      return;
    }
    const fields = typeof err === 'object' && err !== null ? (err as { status?: unknown; type?: unknown }) : {};
    const status =
      typeof fields.status === 'number' && fields.status >= 400 && fields.status < 600 ? fields.status : 500;
    if (status >= 500) {
      log(err); // the details go to the server's log, never to the client
      res.status(500).json({ error: 'internal server error' });
      return;
    }
    const known = typeof fields.type === 'string' ? BODY_ERRORS[fields.type] : undefined;
    res.status(status).json({ error: known ?? STATUS_CODES[status]?.toLowerCase() ?? 'bad request' });
  };
}
// #endregion errors

export function createApp({
  secrets = [sessionSecret()],
  store = new MemoryStore(),
  log = console.error,
}: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');

  // #region middleware
  app.use(express.json({ limit: '1kb' })); // strict: only objects and arrays; 413 above 1 KB
  app.use(cookieParser(secrets)); // signed cookies, same secrets as the session
  app.use(
    session({
      secret: secrets,
      store,
      resave: false,
      saveUninitialized: false, // a hostile request never creates a stored session
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  // #endregion middleware

  // #region login
  app.post('/login', (req, res, next) => {
    const username = field(req, 'username');
    if (typeof username !== 'string' || !/^[a-z]{1,32}$/.test(username)) {
      res.status(400).json({ error: 'username must be 1 to 32 lowercase letters' });
      return;
    }
    const userId = USERS.get(username);
    if (userId === undefined) {
      res.status(401).json({ error: 'unknown user' });
      return;
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = userId;
      req.session.username = username;
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.json({ username });
      });
    });
  });
  // #endregion login

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    res.json({ userId: req.session.userId, username: req.session.username });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('connect.sid', { path: '/', httpOnly: true, sameSite: 'lax' });
      res.json({ loggedOut: true });
    });
  });

  // #region theme
  app.post('/theme', (req, res) => {
    const theme = field(req, 'theme');
    if (!isTheme(theme)) {
      res.status(400).json({ error: `theme must be one of: ${THEMES.join(', ')}` });
      return;
    }
    res.cookie('theme', theme, { signed: true, httpOnly: true, sameSite: 'lax', path: '/' });
    res.json({ theme });
  });

  app.get('/theme', (req, res) => {
    const theme: unknown = req.signedCookies.theme; // false when tampered, absent when unsigned
    if (theme === false) res.clearCookie('theme', { path: '/', httpOnly: true, sameSite: 'lax' });
    res.json({ theme: isTheme(theme) ? theme : 'light' });
  });
  // #endregion theme

  // #region fallbacks
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(errorHandler(log)); // last: replaces Express's default handler, which prints stacks
  // #endregion fallbacks

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
