/**
 * `npm start`: serves site/ on http://localhost:4173 (PORT to change it), building it first when
 * it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSiteServer } from '../src/serve.ts';

const root = resolve(import.meta.dirname, '..');
const site = join(root, 'site');
const port = Number(process.env.PORT ?? 4173);

if (!existsSync(join(site, 'index.html'))) {
  console.log('site/ is missing: building it first (npm run build)');
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build.ts')], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(site, 'index.html'))) {
    console.error('The build wrote no site; nothing to serve.');
    process.exit(result.status || 1);
  }
}

const server = createSiteServer(site);
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one` : error.message);
  process.exit(1);
});
server.listen(port, () => console.log(`Serving site/ on http://localhost:${port} (Ctrl-C to stop)`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
