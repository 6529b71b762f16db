// The article's setup (Step 2) and routes (Steps 3 and 4), unchanged, wrapped in a factory so the
// spec can pass a store it can count (the article uses the default MemoryStore). Not the version
// to copy: see app.ts. On its own it does not compile under strict TypeScript (`req.session.userId`
// is not declared here; chapter 16).
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

export function createApp({ store = new MemoryStore() }: { store?: Store } = {}): Express {
  const app = express();

  // Session middleware configuration
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
      store, // (added for the spec)
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
