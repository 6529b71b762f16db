/**
 * The write stage under faults: a build killed with `kill -9` (its temporary folders and a typedoc
 * child that outlived it), a reader of `site/` while builds swap it, a `site/` that is the user's
 * own symlink, a first run over a real `site/` folder, and an output folder that cannot be written.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import { build } from '../src/build.ts';
import { BuildError } from '../src/errors.ts';
import type { SiteFile } from '../src/types.ts';
import { writeSite } from '../src/write.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'tests/fixtures/chapters-e2e');

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  }
  for (const dir of dirs.splice(0)) {
    try {
      chmodSync(dir, 0o755);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
});

/** True while a process of the group `pgid` runs (zombies, which only wait to be reaped, do not count). */
function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

function work(): string {
  const dir = mkdtempSync(join(tmpdir(), 'write-faults-'));
  dirs.push(dir);
  return dir;
}

/** Saved results with no chapter in them: a build from them runs no spec (its claims show as not verified). */
function emptyResults(dir: string): string {
  const file = join(dir, 'results.json');
  const run = {
    versions: { node: '20', express: '5', 'express-session': '1.19', 'cookie-parser': '1.4' },
    date: '2025-01-01T00:00:00.000Z',
    commit: 'unknown',
    dirty: false,
  };
  writeFileSync(file, JSON.stringify({ run, chapters: [] }));
  return file;
}

/** The fixture chapters rendered from saved results into `out`: no specs, no search index, no API docs. */
function quickBuild(dir: string, out: string) {
  return build({
    root,
    chaptersDir: fixtures,
    results: emptyResults(dir),
    out,
    mutationResults: false,
    search: false,
    apiDocs: false,
    highlightCache: join(dir, 'highlight.json'),
  });
}

/** A process that is gone: no such pid, or a zombie waiting for its parent to reap it. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** A pid that no process has any more: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

/** A leftover folder name as a build with `pid` would have made it, an hour ago. */
const leftover = (tag: string, pid: number) => `.site.${tag}-${pid}-${(Date.now() - 3_600_000).toString(36)}-0a0b0c`;

function pages(version: string): SiteFile[] {
  return [
    { path: 'index.html', content: `<h1>${version}</h1>` },
    { path: '01-a/index.html', content: version },
    { path: 'assets/site.css', content: `/* ${version} */` },
  ];
}

const write = (out: string, version: string) => writeSite(pages(version), { out, search: false, apiDocs: false });

describe('a build killed with kill -9: the next build removes what it left', () => {
  test('its temporary folders go, and its typedoc process group is ended, but only a process that is really that typedoc', async () => {
    const dir = work();
    const out = join(dir, 'site');
    await quickBuild(dir, out);
    const dead = await deadPid();
    // What a killed build leaves: a half-written site, and an API docs folder whose typedoc still runs.
    const tmp = join(dir, leftover('tmp', dead));
    mkdirSync(join(tmp, '01-a'), { recursive: true });
    writeFileSync(join(tmp, '01-a/index.html'), 'half');
    const api = join(dir, leftover('api', dead));
    mkdirSync(api);
    // The stand-in for typedoc leads its own process group (as the build starts it) and has a child
    // of its own in that group, which shares its stdout: 'close' comes only when both have ended.
    const argv = [
      process.execPath,
      '-e',
      "require('child_process').spawn('sleep', ['1000'], { stdio: 'inherit' }); setInterval(() => {}, 1 << 30)",
      '--',
      '--out',
      join(api, 'out'),
    ];
    const typedoc = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(typedoc);
    typedoc.stdout?.resume();
    // Listened for now: the build under test may end it before this test reaches the await.
    const typedocExited = once(typedoc, 'exit');
    writeFileSync(join(api, 'typedoc.pid'), JSON.stringify({ pid: typedoc.pid, argv }));
    // A second leftover whose recorded pid now belongs to another program (a reused pid): never killed.
    const other = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    children.push(other);
    const reused = join(dir, leftover('api', await deadPid()));
    mkdirSync(reused);
    writeFileSync(
      join(reused, 'typedoc.pid'),
      JSON.stringify({ pid: other.pid, argv: [...argv.slice(0, -1), join(reused, 'out')] }),
    );
    // And a folder of a build that is still running (this test's parent process): left alone.
    const running = join(dir, `.site.tmp-${process.ppid}-${Date.now().toString(36)}-0d0e0f`);
    mkdirSync(running);

    await quickBuild(dir, out);

    expect(gone(typedoc.pid as number)).toBe(true);
    await typedocExited;
    // Its child in the same group ends with it: the group empties (SIGKILL is delivered at once;
    // the loop only waits for the kernel to reap it, and the test's own limit bounds it).
    while (groupAlive(typedoc.pid as number)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gone(other.pid as number)).toBe(false);
    expect(existsSync(tmp)).toBe(false);
    expect(existsSync(api)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(readFileSync(join(out, '01-passing/index.html'), 'utf8')).toContain('<html');
  }, 120_000);

  test('a real build killed while typedoc runs leaves typedoc running in its own group; the next build ends it', async () => {
    const dir = work();
    const out = join(dir, 'site');
    const results = emptyResults(dir);
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'scripts/build.ts'),
        '--chapters',
        fixtures,
        '--results',
        results,
        '--out',
        out,
        '--no-search',
        // typedoc must really run: without --no-cache a build whose src/ is unchanged since the last
        // `npm run build` copies the API docs kept in .cache/api/ and starts no typedoc at all.
        '--no-cache',
      ],
      { cwd: root, stdio: 'ignore' },
    );
    children.push(cli);
    // Wait for the typedoc child to be recorded and running (its command line is typedoc's, not the build's).
    let recorded: { pid: number; argv: string[] } | undefined;
    for (;;) {
      const folder = readdirSync(dir).find((name) => name.startsWith('.site.api-'));
      const file = folder && join(dir, folder, 'typedoc.pid');
      if (file && existsSync(file)) {
        try {
          recorded = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; argv: string[] };
          if (readFileSync(`/proc/${recorded.pid}/cmdline`, 'utf8').includes('typedoc')) break;
        } catch {}
      }
      if (cli.exitCode !== null) throw new Error('the build ended before typedoc started');
      // A short sleep, not setImmediate: spinning on the folder would take a core from the build it waits for.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    cli.kill('SIGKILL');
    await once(cli, 'exit');
    expect(gone(recorded.pid)).toBe(false); // it outlived the build

    await quickBuild(dir, out);

    expect(gone(recorded.pid)).toBe(true);
    expect(readdirSync(dir).filter((name) => /^\.site\.(tmp|api)-/.test(name))).toEqual([]);
  }, 120_000);
});

describe('site/ is never missing', () => {
  test('a reader polling site/index.html in another thread while 40 builds swap the site never finds it missing', async () => {
    const dir = work();
    const out = join(dir, 'site');
    await write(out, 'v0');
    const shared = new Int32Array(new SharedArrayBuffer(8)); // [0] stop flag, [1] reads done
    const reader = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { readFileSync } = require('node:fs');
       const shared = workerData.shared;
       const missing = [];
       const seen = new Set();
       while (Atomics.load(shared, 0) === 0) {
         try { seen.add(readFileSync(workerData.file, 'utf8')); } catch (error) { missing.push(error.code); }
         Atomics.add(shared, 1, 1);
       }
       parentPort.postMessage({ missing, versions: seen.size });`,
      { eval: true, workerData: { shared, file: join(out, 'index.html') } },
    );
    const report = once(reader, 'message');
    let exited = false;
    reader.on('exit', () => (exited = true));
    for (let i = 1; i <= 40; i++) {
      await write(out, `v${i}`);
      // Let the reader read at least once more before the next build (it runs on another thread).
      const reads = Atomics.load(shared, 1);
      while (Atomics.load(shared, 1) === reads && !exited) await new Promise((resolve) => setImmediate(resolve));
    }
    Atomics.store(shared, 0, 1);
    const [result] = (await report) as [{ missing: string[]; versions: number }];
    expect(result.missing).toEqual([]);
    expect(result.versions).toBeGreaterThan(1);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('<h1>v40</h1>');
  }, 180_000);

  test('site is a symlink to the newest complete build, flipped by rename; the one it replaced stays until the next build, older ones go', async () => {
    const dir = work();
    const out = join(dir, 'site');
    await write(out, 'v1');
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    const first = readlinkSync(out);
    expect(first).toMatch(/^\.site\.build-\d+-[0-9a-z]+-[0-9a-f]+$/);
    await write(out, 'v2');
    const second = readlinkSync(out);
    expect(readdirSync(dir).sort()).toEqual([first, second, 'site'].sort());
    await write(out, 'v3');
    expect(readdirSync(dir).sort()).toEqual([second, readlinkSync(out), 'site'].sort());
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('<h1>v3</h1>');
  });

  test('the first build over a real site/ folder turns it into the symlink, with the new pages only', async () => {
    const dir = work();
    const out = join(dir, 'site');
    mkdirSync(join(out, 'gone'), { recursive: true });
    writeFileSync(join(out, 'index.html'), 'old');
    await write(out, 'v1');
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['01-a', 'assets', 'index.html']);
    expect(readdirSync(dir).sort()).toEqual([readlinkSync(out), 'site'].sort());
  });
});

describe('a site/ that is the user’s own symlink', () => {
  test('stays that symlink, and the new site is written to its target folder (nothing left beside either)', async () => {
    const dir = work();
    mkdirSync(join(dir, 'www/docs/stale'), { recursive: true });
    writeFileSync(join(dir, 'www/docs/index.html'), 'old');
    mkdirSync(join(dir, 'project'));
    const out = join(dir, 'project/site');
    symlinkSync('../www/docs', out);
    await write(out, 'v1');
    await write(out, 'v2');
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readlinkSync(out)).toBe('../www/docs');
    expect(lstatSync(join(dir, 'www/docs')).isDirectory()).toBe(true);
    expect(readFileSync(join(dir, 'www/docs/index.html'), 'utf8')).toBe('<h1>v2</h1>');
    expect(readdirSync(join(dir, 'www/docs')).sort()).toEqual(['01-a', 'assets', 'index.html']);
    expect(readdirSync(join(dir, 'www'))).toEqual(['docs']);
    expect(readdirSync(join(dir, 'project'))).toEqual(['site']);
  });

  test('a symlink whose target does not exist yet gets a folder there', async () => {
    const dir = work();
    const out = join(dir, 'site');
    symlinkSync(join(dir, 'public/docs'), out);
    await write(out, 'v1');
    expect(readlinkSync(out)).toBe(join(dir, 'public/docs'));
    expect(lstatSync(join(dir, 'public/docs')).isDirectory()).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('<h1>v1</h1>');
  });
});

describe('an output folder that cannot be written', () => {
  test('is a BuildError naming the folder, before any spec runs, and the write stage says the same', async () => {
    const dir = work();
    writeFileSync(join(dir, 'file'), 'not a folder');
    const out = join(dir, 'file/site');
    const failed = build({ root, chaptersDir: fixtures, out, mutationResults: false, search: false, apiDocs: false }); // specs would run: it must fail first
    await expect(failed).rejects.toThrow(BuildError);
    await expect(failed).rejects.toThrow(/file\/site: cannot write the site here/);
    await expect(write(out, 'v1')).rejects.toThrow(BuildError);
    writeFileSync(join(dir, 'site'), 'a file where the site goes');
    await expect(write(join(dir, 'site'), 'v1')).rejects.toThrow(/site: .*not a folder/);
  }, 180_000);

  test('npm run build into a read-only folder prints the one-line build error, no stack, and exits 1', async () => {
    const dir = work();
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    // root may write anywhere: as root, the build runs as nobody (who can still read the project).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(dir, 65534, 65534);
    const results = emptyResults(dir);
    chmodSync(results, 0o644);
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'scripts/build.ts'),
          '--chapters',
          fixtures,
          '--results',
          results,
          '--out',
          join(readOnly, 'site'),
          '--no-search',
          '--no-api',
        ],
        { cwd: root, env: { ...process.env, NO_COLOR: '1', HOME: dir }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^build failed: .*read-only\/site: cannot write the site here \(EACCES/);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(lines.length).toBeLessThanOrEqual(2);
  }, 120_000);
});
