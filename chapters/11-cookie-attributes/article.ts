// @ts-nocheck: the article's code as written, not held to the project's strict types.
// The article's session configuration (Step 2) and login (Step 3), wrapped in a factory so the
// spec can build fresh copies. NOT the code to copy: see app.ts.
import express from 'express';
import session from 'express-session';

export function createArticleApp() {
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

  app.post('/login', (req, res) => {
    // Simulate user login
    req.session.userId = 1; // Typically, this would be fetched from a database
    res.send('User logged in, session data stored');
  });

  return app;
}
