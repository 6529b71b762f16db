// The article's session setup and routes, as written (wrapped in a function so a spec can start it).
// Not the version to copy: see app.ts. Excluded from the project's type check (tsconfig.json).
import express from 'express';
import session, { type Store } from 'express-session';

export function createApp(store: Store) {
  const app = express();

  // #region session
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      store, // added so the spec can look inside; the article relies on the default, a MemoryStore too
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
    }),
  );
  // #endregion session

  app.post('/login', (req, res) => {
    // Simulate user login
    req.session.userId = 1; // Typically, this would be fetched from a database
    res.send('User logged in, session data stored');
  });

  app.get('/profile', (req, res) => {
    if (req.session.userId) {
      res.send(`User profile for user ID: ${req.session.userId}`);
    } else {
      res.send('User not logged in');
    }
  });

  return app;
}
