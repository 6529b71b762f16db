// A pitfall, shown on purpose, not the article's code: the article's /get-theme route in an app
// where its step 2, `app.use(cookieParser())`, was left out. The article does mount cookie-parser
// (see article.ts) and says the route needs it; this file is the mistake that warning is about,
// written for this chapter so the spec can show what it does. Not the version to copy.
import express from 'express';

export function createAppWithoutCookieParser() {
  const app = express();

  // #region without
  app.get('/get-theme', (req, res) => {
    const theme = req.cookies.theme || 'default';
    res.send(`Current theme: ${theme}`);
  });
  // #endregion without

  return app;
}
