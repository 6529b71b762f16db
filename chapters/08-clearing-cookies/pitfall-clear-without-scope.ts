// A pitfall, shown on purpose, not the article's code: the article's /clear-theme route in apps
// whose theme cookie was set with a scope of its own, by a settings section (a path) or for every
// subdomain (a domain). Written for this chapter to show what `res.clearCookie('theme')` then
// misses. Not the version to copy: see app.ts.
import express from 'express';

/** The theme cookie is set for /settings only; the clear is the article's. */
export function createPathScopedApp() {
  const app = express();

  // #region path
  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', { path: '/settings' });
    res.send('Theme cookie set');
  });

  app.get('/clear-theme', (req, res) => {
    res.clearCookie('theme');
    res.send('Theme cookie cleared');
  });
  // #endregion path

  return app;
}

/** The theme cookie is shared with every subdomain of example.localhost; the clear is the article's. */
export function createDomainScopedApp() {
  const app = express();

  // #region domain
  app.get('/set-theme', (req, res) => {
    res.cookie('theme', 'dark', { domain: 'example.localhost' });
    res.send('Theme cookie set');
  });

  app.get('/clear-theme', (req, res) => {
    res.clearCookie('theme');
    res.send('Theme cookie cleared');
  });
  // #endregion domain

  return app;
}
