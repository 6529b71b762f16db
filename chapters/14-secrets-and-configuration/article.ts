// The article's session set-up and routes (Steps 2 and 3), unchanged but for the factory around
// them and the store parameter (express-session's default store is this same MemoryStore); the
// article's `const PORT = 3000;` is left out, since the factory does not listen.
import express from 'express';
import session, { MemoryStore } from 'express-session';

export function createApp({ store = new MemoryStore() } = {}) {
  const app = express();

  // Session middleware configuration
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
      store,
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

  return app;
}
