// The article's code for "Setting Cookies", as published (wrapped in a factory so a spec can run it).
import express from 'express';

export function createArticleApp() {
  const app = express();

  // #region article
  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', { maxAge: 900000, httpOnly: true });
    res.send('Theme cookie set');
  });
  // #endregion article

  return app;
}
