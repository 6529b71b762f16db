/**
 * `npm run build [-- --allow-failures] [-- --results FILE] [-- --out DIR] [-- --chapters DIR]
 *  [-- --save-results FILE] [-- --no-search] [-- --no-api] [-- --no-cache] [-- --time-limit SECONDS]`
 *
 * Runs only the chapters whose inputs changed since their results were saved in .cache/verify/
 * (--no-cache runs every chapter), and typedoc only when src/ changed since its output was kept in
 * .cache/api/ (--no-cache runs it). A spec file running longer than --time-limit seconds (120 by
 * default) stops its chapter, which is reported as timed out; the other chapters go on.
 *
 * Builds the site into site/ (or DIR). A failing claim is shown red on the site, and the command
 * then exits 1 unless --allow-failures. Bad input (a malformed chapter, a missing include) exits 1
 * with the file and line to fix, and leaves the previous site as it was.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../src/build.ts';
import { BuildError } from '../src/errors.ts';

const root = resolve(import.meta.dirname, '..');
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const red = (s: string) => (useColor ? `\u001b[31m${s}\u001b[39m` : s);
const green = (s: string) => (useColor ? `\u001b[32m${s}\u001b[39m` : s);

const USAGE =
  'usage: npm run build -- [--allow-failures] [--results FILE] [--save-results FILE] [--out DIR] [--chapters DIR] [--no-search] [--no-api] [--no-cache] [--time-limit SECONDS]';

let args;
try {
  args = parseArgs({
    options: {
      'allow-failures': { type: 'boolean', default: false },
      results: { type: 'string' },
      'save-results': { type: 'string' },
      out: { type: 'string' },
      chapters: { type: 'string' },
      'no-search': { type: 'boolean', default: false },
      'no-api': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      'time-limit': { type: 'string' },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`build: ${(error as Error).message}`);
  console.error(USAGE);
  process.exit(2);
}

let timeLimit: number | undefined;
if (args['time-limit'] !== undefined) {
  timeLimit = Number(args['time-limit']);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(args['time-limit']) || !(timeLimit > 0)) {
    console.error(`build: --time-limit: expected a number of seconds above 0, got "${args['time-limit']}"`);
    console.error(USAGE);
    process.exit(2);
  }
}

const started = performance.now();
try {
  const report = await build({
    root,
    out: resolve(args.out ?? resolve(root, 'site')),
    ...(args.chapters ? { chaptersDir: resolve(args.chapters) } : {}),
    ...(args.results ? { results: resolve(args.results) } : {}),
    // Results are kept for a later `--results` build: in .cache/ by default for the real chapters.
    ...(args['save-results']
      ? { saveResults: resolve(args['save-results']) }
      : !args.chapters && !args.results
        ? { saveResults: resolve(root, '.cache/results.json') }
        : {}),
    highlightCache: resolve(root, '.cache/highlight.json'),
    // Content-hashed, so safe for any chapters folder: a result is reused only for identical inputs.
    verifyCache: args['no-cache'] ? false : resolve(root, '.cache/verify'),
    // Keyed by a hash of src/, typedoc's configuration, the lockfile and Node.
    apiDocsCache: args['no-cache'] ? false : resolve(root, '.cache/api'),
    ...(timeLimit === undefined ? {} : { timeLimit }),
    search: !args['no-search'],
    apiDocs: !args['no-api'],
    log: (line) => console.log(line),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const t = report.tally;
  if (report.failed.length > 0) {
    console.log('');
    for (const f of report.failed) {
      console.log(red(`✗ ${f.where}  ${f.chapter}: ${f.name}`));
      const first = f.message.split('\n').slice(0, 4).join('\n    ');
      if (first) console.log(`    ${first}`);
    }
    console.log('');
    const line = `${t.passed} of ${t.total} claims verified, ${t.failed} failed (${seconds} s)`;
    if (args['allow-failures']) {
      console.log(red(`${line}: site written with the failures shown (--allow-failures)`));
    } else {
      console.log(red(`${line}: site written with the failures shown; exit 1 (pass --allow-failures to accept)`));
      process.exitCode = 1;
    }
  } else {
    console.log(
      green(
        `${t.passed} of ${t.total} claims verified${t.skipped ? `, ${t.skipped} not verified in this build` : ''} (${seconds} s)`,
      ),
    );
  }
} catch (error) {
  if (error instanceof BuildError) {
    console.error(red(`build failed: ${error.message}`));
    console.error('Nothing was written; the previous site is unchanged.');
  } else {
    console.error(red('build failed:'), error);
  }
  process.exitCode = 1;
}
