// Reading a cookie: cookie-parser mounted first, and the value checked against the themes we know.
import { pathToFileURL } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';

// #region themes
/** The themes this app knows; any other cookie value is treated as no preference. */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const DEFAULT_THEME = 'default';

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}
// #endregion themes

export function createApp(): Express {
  const app = express();

  // #region parser
  // Before any route that reads req.cookies: without it, req.cookies is undefined.
  app.use(cookieParser());
  // #endregion parser

  // #region read
  app.get('/get-theme', (req, res) => {
    // cookie-parser gives strings, or objects for j: values; the client controls both.
    const stored: unknown = req.cookies.theme;
    const theme = isTheme(stored) ? stored : DEFAULT_THEME;
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
