// @ts-nocheck: the article's code as written, not held to the project's strict types.
// The article's session setup (Step 2) and login and profile (Step 3), unchanged except for being
// wrapped in a factory so the spec can build fresh copies. NOT the code to copy: see app.ts.
import express from 'express';
import session from 'express-session';

export function createArticleApp({ store } = {}) {
  const app = express();

  // #region session
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
      store, // (added: lets the spec look inside the store)
    }),
  );
  // #endregion session

  // #region login
  app.post('/login', (req, res) => {
    // Simulate user login
    req.session.userId = 1; // Typically, this would be fetched from a database
    res.send('User logged in, session data stored');
  });
  // #endregion login

  app.get('/profile', (req, res) => {
    if (req.session.userId) {
      res.send(`User profile for user ID: ${req.session.userId}`);
    } else {
      res.send('User not logged in');
    }
  });

  return app;
}
