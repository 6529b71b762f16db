// Signed cookies with cookie-parser: the server can tell whether it set a value; anyone can read it.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';

export interface AppOptions {
  /**
   * Signing secrets, newest first: the first signs new cookies, every one of them is accepted
   * when reading. The default reads `COOKIE_SECRET` from the environment.
   */
  secrets?: string[];
}

/** The themes this app knows; anything else a client asks for is refused. */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/** The signing secret: from the environment; outside production, a random one per process. */
function cookieSecret(): string {
  const secret = process.env.COOKIE_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('COOKIE_SECRET must be set in production');
  // A random fallback is never a secret published in the source; cookies just do not survive a restart.
  return randomBytes(32).toString('base64url');
}

// #region options
/** The theme cookie's attributes: signed, not readable by page scripts, sent on the whole site. */
const themeCookie = {
  signed: true,
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  maxAge: 30 * 24 * 60 * 60 * 1000,
} as const;
// #endregion options

export function createApp({ secrets = [cookieSecret()] }: AppOptions = {}): Express {
  if (secrets.length === 0) throw new Error('at least one cookie secret is required');
  const app = express();

  // #region parser
  // With secrets, cookie-parser checks every `s:`-prefixed cookie against each of them in turn
  // and sets req.secret to the first one, which res.cookie(..., { signed: true }) signs with.
  app.use(cookieParser(secrets));
  // #endregion parser

  // #region set
  app.post('/theme/:theme', (req, res) => {
    const { theme } = req.params;
    if (!isTheme(theme)) {
      res
        .status(400)
        .type('text/plain')
        .send(`Unknown theme; choose one of: ${THEMES.join(', ')}`);
      return;
    }
    res.cookie('theme', theme, themeCookie);
    res.type('text/plain').send(`Theme set to ${theme}`);
  });
  // #endregion set

  // #region read
  app.get('/theme', (req, res) => {
    // Only req.signedCookies is trusted. An unsigned `theme` cookie stays in req.cookies and is
    // ignored here; a `theme` cookie whose signature does not match is `false`.
    const signed: unknown = req.signedCookies.theme;
    if (signed === false) {
      // Someone changed the value: make the browser drop it (same path as when it was set).
      res.clearCookie('theme', { path: themeCookie.path, httpOnly: true, sameSite: 'lax' });
    }
    const theme: Theme = isTheme(signed) ? signed : 'light';
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
