/**
 * `npm run snippet -- NN [file]`: runs chapter NN's snippet (app.ts by default) as a reader would,
 * with tsx, listening on PORT (default 3000).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [number, file = 'app.ts'] = process.argv.slice(2);
const root = join(import.meta.dirname, '..', 'chapters');
if (!number || !/^\d{1,3}$/.test(number)) {
  console.error(
    'usage: npm run snippet -- NN [file]   (e.g. npm run snippet -- 04; chapters after 99 have three digits)',
  );
  process.exit(2);
}
const prefix = `${number.padStart(2, '0')}-`;
const folder = readdirSync(root).find((name) => name.startsWith(prefix));
if (!folder) {
  console.error(`no chapter ${prefix.slice(0, -1)} in ${relative(process.cwd(), root)}/`);
  process.exit(2);
}
const path = join(root, folder, file);
if (!existsSync(path)) {
  console.error(`no ${file} in ${relative(process.cwd(), join(root, folder))}/`);
  process.exit(2);
}
console.log(`Running ${relative(process.cwd(), path)} (PORT=${process.env.PORT ?? 3000}); Ctrl-C to stop.`);
const child = spawn(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
