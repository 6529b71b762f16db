// @ts-nocheck: the article's code as written, not held to the project's strict types.
// The article's session setup, login and logout (Steps 2 to 4), unchanged except for being wrapped
// in a factory so the spec can build fresh copies. NOT the code to copy: see app.ts.
import express from 'express';
import session from 'express-session';

export function createArticleApp({ store } = {}) {
  const app = express();

  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
      store, // (added: lets the spec look inside the store)
    }),
  );

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

  // #region logout
  app.post('/logout', (req, res) => {
    req.session.destroy((err) => {
      if (err) {
        return res.status(500).send('Error logging out');
      }
      res.send('User logged out, session destroyed');
    });
  });
  // #endregion logout

  return app;
}
