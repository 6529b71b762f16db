// The article's code for "Clearing Cookies", as published, next to its "Setting Cookies" route
// (wrapped in a factory so a spec can run it).
import express from 'express';

/**
 * `setOptions` lets a spec stand in for a theme cookie set somewhere else with another scope
 * (a path or a domain); by default it is exactly the article's cookie.
 */
export function createArticleApp(setOptions: express.CookieOptions = { maxAge: 900000, httpOnly: true }) {
  const app = express();

  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', setOptions);
    res.send('Theme cookie set');
  });

  // #region article
  app.get('/clear-theme', (req, res) => {
    res.clearCookie('theme');
    res.send('Theme cookie cleared');
  });
  // #endregion article

  return app;
}
