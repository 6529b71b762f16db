// The article's cookie code ("Working with Cookies"), unchanged but for the factory around it:
// an unsigned theme cookie, read back from req.cookies.
import express from 'express';
import cookieParser from 'cookie-parser';

export function createApp() {
  const app = express();

  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', { maxAge: 900000, httpOnly: true });
    res.send('Theme cookie set');
  });

  app.use(cookieParser());

  app.get('/get-theme', (req, res) => {
    const theme = req.cookies.theme || 'default';
    res.send(`Current theme: ${theme}`);
  });

  app.get('/clear-theme', (req, res) => {
    res.clearCookie('theme');
    res.send('Theme cookie cleared');
  });

  return app;
}
