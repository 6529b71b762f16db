/**
 * `npm run dev [-- --port N] [-- --fresh] [-- --results FILE]`
 *
 * Serves the site on http://127.0.0.1:4000/ from memory and keeps it current while you write:
 * saving a chapter's file re-runs only that chapter's specs and re-renders only its page, and the
 * open page reloads itself. A change under src/ re-renders everything. See src/dev/index.ts.
 *
 * Starts from the results of the last `npm run build` (.cache/results.json, or FILE) when there are
 * some; with --fresh (or without saved results) every spec runs once first. --port 0 takes any free
 * port.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDev } from '../src/dev/index.ts';

const root = resolve(import.meta.dirname, '..');
let args: { port: string; fresh: boolean; results: string };
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '4000' },
      fresh: { type: 'boolean', default: false },
      results: { type: 'string', default: '.cache/results.json' },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`dev: ${(error as Error).message}`);
  console.error('usage: npm run dev -- [--port N] [--fresh] [--results FILE]');
  process.exit(2);
}

const time = () => new Date().toTimeString().slice(0, 8);
const server = await startDev({
  root,
  port: Number(args.port),
  ...(args.fresh ? {} : { results: resolve(root, args.results) }),
  log: (line) => console.log(`${time()} ${line}`),
});
console.log(`${time()} serving ${server.url} — watching chapters/ and src/ (Ctrl-C to stop)`);

let closing = false;
const stop = () => {
  if (closing) process.exit(130);
  closing = true;
  void server.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
