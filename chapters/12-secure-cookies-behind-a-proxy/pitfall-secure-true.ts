// @ts-nocheck: the article's code, not held to the project's strict types.
// A pitfall, shown on purpose: the article's Step 2 and Step 3 (see article.ts) with its own comment
// followed, `secure: true` ("Set to true if using HTTPS"), in an app that sits behind a proxy which
// speaks HTTPS to the browser and plain HTTP to the app. That one value is the only change from the
// article; nothing tells Express to trust the proxy. NOT the code to copy: see app.ts.
import express from 'express';
import session from 'express-session';

export function createSecureArticleApp({ store } = {}) {
  const app = express();

  // #region session
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: true }, // (changed: the article says false) Set to true if using HTTPS
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
