// The article's code for "Accessing Cookies", as published (wrapped in factories so a spec can run it).
import express from 'express';
import cookieParser from 'cookie-parser';

/** The article's app: cookie-parser mounted, then the route. */
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

/** The same route in an app that never mounted cookie-parser (step 2 skipped or mounted too late). */
export function createArticleAppWithoutCookieParser() {
  const app = express();

  // #region without
  app.get('/get-theme', (req, res) => {
    const theme = req.cookies.theme || 'default';
    res.send(`Current theme: ${theme}`);
  });
  // #endregion without

  return app;
}
