// @ts-nocheck: the article's code as written, not held to the project's strict types.
// The article's Step 2 (session middleware) and Step 3 (login), quoted exactly. Only what makes it a
// module changed: a factory around it, and a `store` line so the spec can look inside the store
// (express-session's default store is the same MemoryStore). NOT the code to copy: see app.ts.
import express from 'express';
import session from 'express-session';

export function createArticleApp({ store } = {}) {
  const app = express();
  const PORT = 3000;

  // #region session
  // Session middleware configuration
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

  app.post('/login', (req, res) => {
    // Simulate user login
    req.session.userId = 1; // Typically, this would be fetched from a database
    res.send('User logged in, session data stored');
  });

  return app;
}
