// The article's code for "Accessing Cookies", as published: step 2's `app.use(cookieParser())` and
// its route, unchanged, wrapped in a factory so a spec can run it (the only change).
import express from 'express';
import cookieParser from 'cookie-parser';

export function createArticleApp() {
  const app = express();

  // #region article
  app.use(cookieParser());

  app.get('/get-theme', (req, res) => {
    const theme = req.cookies.theme || 'default';
    res.send(`Current theme: ${theme}`);
  });
  // #endregion article

  return app;
}
