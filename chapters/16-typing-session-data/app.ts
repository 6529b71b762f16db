// Typing session data: tell TypeScript what a session holds, once, by declaration merging.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

// #region types
// express-session declares an empty `SessionData` interface; this block adds a field to it.
// It is an augmentation of the module, so it applies to every file in the program, not just this one.
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

/** The signing secret: from the environment; outside production, a random one per start. */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url'); // development: a new secret each start
}

export function createApp({ store = new MemoryStore(), secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  app.use(
    session({
      secret,
      store,
      resave: false,
      saveUninitialized: false,
    }),
  );

  // #region login
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 1; // type-checked: a string here would not compile
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.send('User logged in, session data stored');
      });
    });
  });
  // #endregion login

  // #region profile
  app.get('/profile', (req, res) => {
    // SessionData's fields are optional on req.session: this is `number | undefined`.
    const userId = req.session.userId;
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
