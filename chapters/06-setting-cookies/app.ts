// Setting a cookie: a theme preference with options chosen on purpose, and a value checked first.
import { pathToFileURL } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type CookieOptions, type Express } from 'express';

// #region themes
/** The only values the theme cookie may hold. Anything else is refused, never echoed. */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}
// #endregion themes

export interface AppOptions {
  /** Send the cookie over HTTPS only. Defaults to true when NODE_ENV is production. */
  secure?: boolean;
}

// #region options
/** A preference should outlive a coffee break: one year, in milliseconds as Express expects. */
export const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export function themeCookieOptions(secure: boolean): CookieOptions {
  return {
    maxAge: ONE_YEAR_MS, // Express turns this into Max-Age (seconds) and Expires
    httpOnly: true, // the server renders the theme; page scripts never need to read it
    sameSite: 'lax', // not sent on cross-site subrequests; sent when the user follows a link here
    secure, // HTTPS only in production
    path: '/', // every page needs the theme
  };
}
// #endregion options

export function createApp({ secure = process.env.NODE_ENV === 'production' }: AppOptions = {}): Express {
  const app = express();
  app.use(cookieParser());

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
    res.cookie('theme', theme, themeCookieOptions(secure));
    res.type('text/plain').send(`Theme set to ${theme}`);
  });
  // #endregion set

  // #region read
  app.get('/', (req, res) => {
    const stored: unknown = req.cookies.theme;
    const theme = isTheme(stored) ? stored : 'light';
    res.type('text/plain').send(`Current theme: ${theme}`);
  });
  // #endregion read

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
