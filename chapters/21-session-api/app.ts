// The session API: regenerate, save, reload and destroy, each with its callback and its errors.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type ErrorRequestHandler, type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
declare module 'express-session' {
  interface SessionData {
    userId: number;
    username: string;
    /** The state of this chapter's demo background job. */
    sessionApiJob: string;
  }
}
// #endregion types

export interface AppOptions {
  /** Where sessions live; the default is a fresh in-memory store. */
  store?: Store;
  /** The secret that signs the session ID cookie. */
  secret?: string;
  /** The slow work /report and /jobs do before they answer: 150 ms by default (a spec passes a gate). */
  slowWork?: () => Promise<void>;
}

/** The signing secret: from the environment, with a development-only fallback. */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url'); // per start: sessions end on restart
}

const NAME = /^[a-z]{1,20}$/;

export function createApp({
  store = new MemoryStore(),
  secret = sessionSecret(),
  slowWork = () => new Promise((resolve) => setTimeout(resolve, 150)),
}: AppOptions = {}): Express {
  const app = express();
  const work = (then: () => void) => void slowWork().then(then); // stands in for real slow work

  app.use(
    session({ secret, store, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax' } }),
  );
  app.use(express.urlencoded({ extended: false }));
  // Every answer is plain text: a name echoed back can never be read as HTML.
  app.use((req, res, next) => {
    res.type('text/plain');
    next();
  });

  // #region regenerate
  app.post('/login', (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?.username !== 'string' || !NAME.test(body.username)) {
      res.status(400).send('username must be 1-20 lowercase letters');
      return;
    }
    const username = body.username;
    // regenerate: destroys the old session in the store, then gives req.session a new ID, empty.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 42;
      req.session.username = username;
      // save: writes it now, so the response goes out only once the login is stored.
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send(`Logged in as ${username}`);
      });
    });
  });
  // #endregion regenerate

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`Hello ${req.session.username}, your user ID is ${req.session.userId}`);
  });

  app.post('/rename', (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    if (typeof body?.username !== 'string' || !NAME.test(body.username)) {
      res.status(400).send('username must be 1-20 lowercase letters');
      return;
    }
    req.session.username = body.username;
    req.session.save((err) => (err ? next(err) : res.send(`Renamed to ${req.session.username}`)));
  });

  // #region reload
  app.get('/report', (req, res, next) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    const before = req.session.username;
    work(() => {
      // reload: replaces this request's copy with what the store holds now.
      req.session.reload((err) => {
        if (err) return next(err);
        res.send(`Report for ${req.session.username} (was ${before} when the report started)`);
      });
    });
  });
  // #endregion reload

  // #region save
  app.post('/jobs', (req, res, next) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    req.session.sessionApiJob = 'running';
    // Without this save, other requests would not see "running" until this response ends.
    req.session.save((err) => {
      if (err) return next(err);
      work(() => {
        req.session.sessionApiJob = 'done';
        res.send('Job done'); // saved automatically as the response ends
      });
    });
  });

  app.get('/jobs', (req, res) => {
    res.send(`Job: ${req.session.sessionApiJob ?? 'none'}`);
  });
  // #endregion save

  // #region destroy
  app.post('/logout', (req, res, next) => {
    // destroy: deletes the session from the store; req.session is gone from here on.
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('connect.sid', { httpOnly: true, sameSite: 'lax' });
      res.send('Logged out');
    });
  });
  // #endregion destroy

  // #region errors
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (process.env.NODE_ENV !== 'test') console.error(err);
    if (res.headersSent) return next(err); // too late for a 500: let Express close the connection
    res.status(500).send('Something went wrong, please try again');
  };
  app.use(onError);
  // #endregion errors

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
