// The article's session configuration ("Step 2: Configure Session Middleware"), wrapped in a factory
// so the spec can pass a store it can count. The options are the article's, unchanged, plus the
// `store` line marked below; the routes are not the article's. Not the version to copy: see app.ts.
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

export function createApp({ store = new MemoryStore() }: { store?: Store } = {}): Express {
  const app = express();

  // #region config
  // Session middleware configuration
  app.use(
    session({
      secret: 'your_secret_key', // Replace with a strong secret in production
      resave: false,
      saveUninitialized: true,
      cookie: { secure: false }, // Set to true if using HTTPS
      store, // (added: the article uses the default MemoryStore; the spec passes one to count sessions)
    }),
  );
  // #endregion config

  // Not in the article: the same three routes as app.ts, so both configurations answer the same requests.
  app.get('/', (_req, res) => {
    res.send('Welcome');
  });
  app.get('/views', (req, res) => {
    res.send(`Views: ${req.session.views ?? 0}`);
  });
  app.post('/views', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(`Views: ${req.session.views}`);
  });

  return app;
}
