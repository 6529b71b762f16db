/**
 * `npm start`: serves site/ on http://127.0.0.1:4173, building it first when it is missing.
 * `PORT` changes the port; `HOST` the address (127.0.0.1 by default: this machine only; e.g.
 * `HOST=0.0.0.0` to let other machines on your network see it). See src/serve.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listenAddress, startSiteServer } from '../src/serve.ts';

const root = resolve(import.meta.dirname, '..');
const site = join(root, 'site');

let port: number;
try {
  port = listenAddress().port;
} catch (error) {
  console.error(`start: ${(error as Error).message}`);
  process.exit(2);
}

if (!existsSync(join(site, 'index.html'))) {
  console.log('site/ is missing: building it first (npm run build)');
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(join(site, 'index.html'))) {
    console.error('The build wrote no site; nothing to serve.');
    process.exit(result.status || 1);
  }
}

try {
  const { server, url } = await startSiteServer(site);
  console.log(`Serving site/ on ${url} (Ctrl-C to stop)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  const { host } = listenAddress();
  console.error(
    e.code === 'EADDRINUSE'
      ? `Port ${port} is in use: set PORT to another one`
      : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
        ? `Cannot listen on HOST=${host}: no such address on this machine`
        : e.message,
  );
  process.exit(1);
}
