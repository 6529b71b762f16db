// The article's Step 2 setup and Step 3 routes, unchanged, wrapped in a factory so the spec can
// start fresh instances (a "restart"). Not the version to copy: see app.ts. On its own this file
// does not compile under strict TypeScript (`req.session.userId` is not declared; chapter 16).
import express, { type Express } from 'express';
import session from 'express-session';

export function createApp(): Express {
  const app = express();

  // Session middleware configuration
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
    }),
  );

  // #region login
  app.post('/login', (req, res) => {
    // Simulate user login
    req.session.userId = 1; // Typically, this would be fetched from a database
    res.send('User logged in, session data stored');
  });
  // #endregion login

  // #region profile
  app.get('/profile', (req, res) => {
    if (req.session.userId) {
      res.send(`User profile for user ID: ${req.session.userId}`);
    } else {
      res.send('User not logged in');
    }
  });
  // #endregion profile

  return app;
}
