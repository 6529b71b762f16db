// Clearing a cookie: one options object, used both to set the cookie and to clear it.
import { pathToFileURL } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type CookieOptions, type Express } from 'express';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

export interface AppOptions {
  /** The path the theme cookie is scoped to; "/" unless the preference belongs to one section. */
  path?: string;
  /** Share the cookie with subdomains (e.g. "example.com"); host-only when left out. */
  domain?: string;
  /** Send the cookie over HTTPS only. Defaults to true when NODE_ENV is production. */
  secure?: boolean;
}

export const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

// #region scope
/** Everything that identifies the cookie to the browser, shared by res.cookie and res.clearCookie. */
export function themeCookieScope({
  path = '/',
  domain,
  secure = process.env.NODE_ENV === 'production',
}: AppOptions = {}): CookieOptions {
  return { path, domain, secure, httpOnly: true, sameSite: 'lax' };
}
// #endregion scope

export function createApp(options: AppOptions = {}): Express {
  const app = express();
  app.use(cookieParser());
  const scope = themeCookieScope(options);

  // #region set
  app.get('/set-theme', (req, res) => {
    const theme: unknown = req.query.theme;
    if (!isTheme(theme)) {
      res
        .status(400)
        .type('text/plain')
        .send(`Unknown theme: choose one of ${THEMES.join(', ')}`);
      return;
    }
    res.cookie('theme', theme, { ...scope, maxAge: ONE_YEAR_MS });
    res.type('text/plain').send(`Theme set to ${theme}`);
  });
  // #endregion set

  // #region clear
  app.get('/clear-theme', (_req, res) => {
    res.clearCookie('theme', scope); // same path and domain as when it was set
    res.type('text/plain').send('Theme cleared');
  });
  // #endregion clear

  app.get('/', (req, res) => {
    const stored: unknown = req.cookies.theme;
    res.type('text/plain').send(`Current theme: ${isTheme(stored) ? stored : 'light'}`);
  });

  return app;
}

// #region listen
// Listen only when this file is run directly (`npx tsx app.ts`), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().listen(port, (error) => {
    // Express 5 hands a listen error (a port in use, say) to this callback: say it and exit non-zero.
    if (error) {
      console.error(`Cannot listen on port ${port}: ${error.message}`);
      process.exit(1);
    }
    console.log(`Listening on http://localhost:${port}`);
  });
}
// #endregion listen
