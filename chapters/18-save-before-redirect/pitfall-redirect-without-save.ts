// NOT the version to copy: a login that redirects without waiting for the session to be saved.
// The spec runs it to show the race; app.ts is the corrected version.
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: number;
  }
}

export function createApp({ store = new MemoryStore(), secret }: { store?: Store; secret: string }): Express {
  const app = express();
  app.use(session({ secret, store, resave: false, saveUninitialized: false }));

  app.get('/', (_req, res) => {
    res.type('html').send('<form method="post" action="/login"><button>Log in</button></form>');
  });

  // #region login
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 1;
      res.redirect('/profile'); // express-session saves when the response ends... mostly
    });
  });
  // #endregion login

  app.get('/profile', (req, res) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      res.status(401).send('Not logged in');
      return;
    }
    res.send(`User profile for user ID: ${userId}`);
  });

  return app;
}
