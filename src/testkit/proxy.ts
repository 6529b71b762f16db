/**
 * A TLS-terminating proxy, simulated in a spec: an outer Express app that trusts the loopback hop
 * mounts the chapter's app, so a request with `X-Forwarded-Proto: https` counts as HTTPS. For claims
 * about `Secure` cookies on an app that sets no `trust proxy` of its own. A claim that uses it says
 * so in its name ("behind a simulated HTTPS proxy").
 */
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';

/** The app behind a simulated HTTPS proxy; send `X-Forwarded-Proto: https` to make a request HTTPS. */
export function behindHttpsProxy(app: RequestListener): Express {
  const outer = express();
  outer.set('trust proxy', 'loopback');
  outer.use(app as Express);
  return outer;
}
