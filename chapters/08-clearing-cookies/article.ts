// The article's code for "Clearing Cookies", as published, next to its "Setting Cookies" route
// (both unchanged, wrapped in a factory so a spec can run them: the only change).
import express from 'express';

export function createArticleApp() {
  const app = express();

  // #region set
  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', { maxAge: 900000, httpOnly: true });
    res.send('Theme cookie set');
  });
  // #endregion set

  // #region article
  app.get('/clear-theme', (req, res) => {
    res.clearCookie('theme');
    res.send('Theme cookie cleared');
  });
  // #endregion article

  return app;
}
