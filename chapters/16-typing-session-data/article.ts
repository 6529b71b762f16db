// The article's code, as written: it runs, but strict TypeScript rejects it.
// Not the version to copy: see app.ts. Excluded from the project's type check (tsconfig.json).
import express from 'express';
import session from 'express-session';

export function createApp() {
  const app = express();

  // #region session
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
    }),
  );
  // #endregion session

  // #region routes
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
  // #endregion routes

  return app;
}
