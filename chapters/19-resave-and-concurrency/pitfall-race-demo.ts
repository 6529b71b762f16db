// A demo app for the resave race: the login keeps the SAME session ID on purpose (see the prose).
// Not a snippet to copy: its login skips regenerate() so that two requests share one session.
import express, { type Express, type Request } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    views: number;
  }
}

export interface RaceDemoOptions {
  /** The option under test: write unmodified sessions back to the store or not. */
  resave: boolean;
  store?: Store;
  rolling?: boolean;
  /** What GET /slow waits for before it answers, after loading the session: 150 ms by default. */
  slowGate?: (req: Request) => Promise<void>;
}

export function createRaceDemoApp({
  resave,
  store = new MemoryStore(),
  rolling = false,
  slowGate = () => new Promise((resolve) => setTimeout(resolve, 150)),
}: RaceDemoOptions): Express {
  const app = express();

  // #region session
  app.use(
    session({
      secret: 'race-demo-secret',
      store,
      resave, // true: every request writes its copy of the session back, changed or not
      saveUninitialized: false,
      rolling, // no cookie maxAge: a browser-session cookie, and (in MemoryStore) a session that never expires
    }),
  );
  // #endregion session

  // #region routes
  // A first visit creates the (anonymous) session both later requests share.
  app.get('/visit', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(`Visit number ${req.session.views}`);
  });

  // Slow and read-only: it loaded the session when it started and never changes it.
  app.get('/slow', (req, res, next) => {
    slowGate(req).then(() => res.send(`Slow report for a visitor with ${req.session.views ?? 0} visit(s)`), next);
  });

  // DEMO ONLY: stores the user in the session it already has, without regenerate().
  app.post('/login', (req, res) => {
    req.session.userId = 7;
    res.send('Logged in');
  });

  app.get('/profile', (req, res) => {
    if (req.session.userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`User profile for user ID: ${req.session.userId}`);
  });
  // #endregion routes

  return app;
}
