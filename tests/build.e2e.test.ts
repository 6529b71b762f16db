/**
 * End to end: the fixture chapters (one passing, one failing) through the whole pipeline, specs
 * really run, into a temporary folder; then the command line's exit codes and messages.
 * Search and API docs are skipped here (the browser test covers them).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BuildReport, build } from '../src/build.ts';
import { BuildError } from '../src/errors.ts';
import { findChapters } from '../src/find.ts';
import { inputsHash } from '../src/mutate/inputs.ts';
import type { MutationReport } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'tests/fixtures/chapters-e2e');
const work = mkdtempSync(join(tmpdir(), 'site-e2e-'));
/** The command line's runs write here, not into `work`, whose contents the tests above check. */
const cliWork = mkdtempSync(join(tmpdir(), 'site-e2e-cli-'));
const out = join(work, 'site');
const results = join(work, 'results.json');
let report: BuildReport;
const lines: string[] = [];
const read = (path: string) => readFileSync(join(out, path), 'utf8');

/** Runs `npm run build` (scripts/build.ts through tsx) with these arguments. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts/build.ts'), ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Run = Awaited<ReturnType<typeof cli>>;

/**
 * The mutation fixture as a run would have saved it now: 01-passing's inputs identical to its
 * files, 02-failing's recorded before a change (a stale hash).
 */
function mutationResults(): string {
  const saved = JSON.parse(
    readFileSync(join(root, 'tests/fixtures/mutation/mutation-results.json'), 'utf8'),
  ) as MutationReport;
  const [passing] = findChapters(fixtures, root);
  saved.chapters = saved.chapters.map((c) =>
    c.id === '01-passing' ? { ...c, inputs: inputsHash(root, passing!) } : c,
  );
  const file = join(cliWork, 'mutation-results.json');
  writeFileSync(file, JSON.stringify(saved));
  return file;
}

/** Saved results for the missing-claim fixture: its spec has one test, not the one its README names. */
function missingClaimResults(): string {
  const file = join(cliWork, 'missing-claim-results.json');
  const run = {
    versions: { node: '20', express: '5', 'express-session': '1.19', 'cookie-parser': '1.4' },
    date: '2025-01-01T00:00:00.000Z',
    commit: 'unknown',
    dirty: false,
  };
  const test = {
    name: 'the answer is 42',
    describe: [],
    status: 'passed',
    durationMs: 1,
    file: 'app.test.ts',
    line: 1,
    exchanges: [],
  };
  writeFileSync(file, JSON.stringify({ run, chapters: [{ id: '01-a', tests: [test], fileErrors: [] }] }));
  return file;
}
/** The command line runs, started early: each is a child process (tsx start-up) that waits on nothing here. */
let badInput: Promise<[Run, Run, Run]>;
let withFailure: Promise<[Run, Run]>;

beforeAll(async () => {
  const target = join(cliWork, 'bad');
  badInput = Promise.all([
    cli([
      '--chapters',
      join(root, 'tests/fixtures/malformed/bad-front-matter'),
      '--out',
      target,
      '--no-search',
      '--no-api',
    ]),
    cli(['--results', join(cliWork, 'nope.json'), '--out', target, '--no-search', '--no-api']),
    cli([
      '--chapters',
      join(root, 'tests/fixtures/malformed/missing-claim'),
      '--results',
      missingClaimResults(),
      '--out',
      target,
      '--no-search',
      '--no-api',
    ]),
  ]);
  report = await build({
    root,
    chaptersDir: fixtures,
    out,
    saveResults: results,
    mutationResults: mutationResults(),
    search: false,
    apiDocs: false,
    log: (l) => lines.push(l),
  });
  // These read the results file the build above saved.
  const base = ['--chapters', fixtures, '--results', results, '--no-search', '--no-api'];
  withFailure = Promise.all([
    cli([...base, '--out', join(cliWork, 'strict')]),
    cli([...base, '--out', join(cliWork, 'allowed'), '--allow-failures']),
  ]);
}, 300_000); // a real build with its specs: generous for a loaded machine

afterAll(async () => {
  await Promise.allSettled([badInput, withFailure]); // never delete the folder under a running build
  rmSync(work, { recursive: true, force: true });
  rmSync(cliWork, { recursive: true, force: true });
});

describe('a build of one passing and one failing chapter', () => {
  test('reports every stage with its timing, and the failing claim with where it is', () => {
    expect(report.timings.map((t) => t.stage)).toEqual(['find', 'mutation', 'verify', 'render', 'write']);
    expect(
      lines.some((l) =>
        /^mutation +\d+ ms {2}.*mutation-results\.json \(2026-11-29\): 1 chapters current, 1 out of date, 0 not mutation-tested$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(lines.some((l) => /^verify +\d+ ms {2}5 claims: 3 passed, 1 failed, 1 not verified$/.test(l))).toBe(true);
    expect(report.tally).toEqual({ passed: 3, failed: 1, skipped: 1, total: 5 });
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]).toMatchObject({
      chapter: '02-failing',
      name: 'the theme cookie › the theme cookie is HttpOnly',
      where: 'tests/fixtures/chapters-e2e/02-failing/app.test.ts:11',
    });
    expect(report.failed[0]?.message).toBe(
      "AssertionError: expected 'theme=dark; Max-Age=900; Path=/; Expi…' to contain 'HttpOnly'",
    );
  });

  test('the failing claim is marked failed on its page, with its message; the badge counts', () => {
    const html = read('02-failing/index.html');
    expect(html).toContain('<p class="badge failed">1 of 2 claims verified (1 failed)</p>');
    expect(html).toMatch(
      /<li class="failed" id="claim-2">the theme cookie is HttpOnly<small><b>failed<\/b> · \d+ ms · app\.test\.ts:11<\/small><pre class="failure">AssertionError: expected 'theme=dark; Max-Age=900; Path=\/; Expi…' to contain 'HttpOnly'<\/pre><details class="ev" open><summary>1 HTTP exchange<\/summary>/,
    );
    expect(html).not.toContain(root); // no paths of this machine
    expect(html).toContain('<li id="claim-1"><a href="evidence.html#claim-1">the theme cookie is set</a>');
    // The evidence page has both claims, the failure with its message.
    const evidence = read('02-failing/evidence.html');
    expect(evidence).toContain('<li id="claim-1"><a href="./#claim-1">the theme cookie is set</a>');
    expect(evidence).toMatch(
      /<li class="failed" id="claim-2"><a href="\.\/#claim-2">the theme cookie is HttpOnly<\/a><small><b>failed<\/b> · \d+ ms · app\.test\.ts:11 · 1 HTTP exchange<\/small><pre class="failure">AssertionError: /,
    );
    expect(evidence).not.toContain(root);
  });

  test('the passing chapter shows its claims, the skipped one as not verified, and masked evidence on its evidence page', () => {
    const html = read('01-passing/index.html');
    expect(html).toContain('<p class="badge partial">2 of 3 claims verified (1 not verified in this build)</p>');
    expect(html).toContain('a claim that needs Redis<small><b>not verified in this build</b>');
    expect(html).not.toContain('Set-Cookie:');
    const evidence = read('01-passing/evidence.html');
    expect(evidence).toContain('Set-Cookie: connect.sid=s%3A&lt;session-id-1&gt;.&lt;sig&gt;; Path=/; HttpOnly');
    expect(evidence).toContain('Cookie: connect.sid=s%3A&lt;session-id-1&gt;.&lt;sig&gt;');
    for (const id of [...html.matchAll(/<a href="evidence\.html#(claim-\d+)">/g)].map((m) => m[1]))
      expect(evidence).toContain(`id="${id}"`);
  });

  test('the index marks the failing chapter red and counts claims', () => {
    const html = read('index.html');
    expect(html).toContain('<td class="count failed">1 of 2 <span class="failed">(1 failed)</span></td>');
    expect(html).toContain('<td class="count partial">2 of 3</td>');
    expect(html).toContain(
      '<p class="badge failed">3 of 5 claims verified (1 failed, 1 not verified in this build)</p>',
    );
    expect(html).not.toContain('href="api/"');
  });

  test('the site folder holds the pages and downloads, and no temporary folder is left beside it', () => {
    expect(readdirSync(out).sort()).toEqual([
      '01-passing',
      '02-failing',
      '404.html',
      'assets',
      'index.html',
      'llms.txt',
      'robots.txt',
    ]);
    expect(readdirSync(join(out, '01-passing')).sort()).toEqual([
      'app.test.ts',
      'app.ts',
      'evidence.html',
      'exchanges.http',
      'index.html',
      'index.md',
    ]);
    expect(readFileSync(join(out, '02-failing/article.ts'), 'utf8')).toBe(
      readFileSync(join(fixtures, '02-failing/article.ts'), 'utf8'),
    );
    expect(readdirSync(work).sort()).toEqual([readlinkSync(out), 'results.json', 'site'].sort()); // site -> .site.build-…
  });

  test('a malformed chapter fails the build before anything is written: the old site stays, no temporary folder', async () => {
    const before = read('index.html');
    const failed = build({
      root,
      chaptersDir: join(root, 'tests/fixtures/malformed/missing-region'),
      out,
      mutationResults: false,
      search: false,
      apiDocs: false,
    });
    await expect(failed).rejects.toThrow(BuildError);
    await expect(failed).rejects.toThrow(
      'tests/fixtures/malformed/missing-region/01-a/README.md:12: {{#include app.ts:nope}}: no region "nope"',
    );
    expect(read('index.html')).toBe(before);
    expect(readdirSync(work).sort()).toEqual([readlinkSync(out), 'results.json', 'site'].sort()); // site -> .site.build-…
    const fresh = join(work, 'never');
    await expect(
      build({
        root,
        chaptersDir: join(root, 'tests/fixtures/malformed/no-spec'),
        out: fresh,
        mutationResults: false,
        search: false,
        apiDocs: false,
      }),
    ).rejects.toThrow(BuildError);
    expect(existsSync(fresh)).toBe(false);
  });
});

describe('mutation results in a build', () => {
  test('a chapter whose inputs are identical to the saved run shows its score; one whose hash changed shows it is out of date', () => {
    expect(read('01-passing/index.html')).toContain(
      '<div class="mutation"><p class="mut"><span aria-hidden="true">✓ </span>Its tests catch 2 of 2 one-line changes to <code>app.ts</code> (100 %)',
    );
    expect(read('01-passing/index.html')).toContain('inputs identical');
    expect(read('02-failing/index.html')).toContain(
      '<div class="mutation"><p class="mut stale"><span aria-hidden="true">– </span>Not mutation-tested for these files: they changed since the mutation run of <time datetime="2026-11-29T12:00:00.000Z">2026-11-29</time> (commit abc1234). Run <code>npm run mutate -- 02</code>.</p></div>',
    );
    expect(read('02-failing/index.html')).not.toContain('would not notice');
    const index = read('index.html');
    expect(index).toContain('<td class="count passed">2 of 2</td></tr>');
    expect(index).toContain('<td class="count partial">out of date</td></tr>');
    expect(index).toContain(
      'The tests catch <b>2 of 2</b> one-line changes across all snippets (100 %), in the 1 chapter with a current mutation result; 1 other is out of date or not mutation-tested.',
    );
  });
});

describe('claim references in a build', () => {
  test('a reference to a claim that does not exist fails the build with the README and line', async () => {
    const failed = build({
      root,
      chaptersDir: join(root, 'tests/fixtures/malformed/missing-claim'),
      results: missingClaimResults(),
      mutationResults: false,
      out: join(cliWork, 'never'),
      search: false,
      apiDocs: false,
    });
    await expect(failed).rejects.toThrow(BuildError);
    await expect(failed).rejects.toThrow(
      'tests/fixtures/malformed/missing-claim/01-a/README.md:13: {{claim "the cookie lasts an hour"}}: no claim of that name',
    );
    expect(existsSync(join(cliWork, 'never'))).toBe(false);
  });
});

describe('the build command', () => {
  test('with a failing claim it writes the site and exits 1 unless --allow-failures', async () => {
    const [strict, allowed] = await withFailure;
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(
      '✗ tests/fixtures/chapters-e2e/02-failing/app.test.ts:11  02-failing: the theme cookie › the theme cookie is HttpOnly',
    );
    expect(strict.stdout).toContain('3 of 5 claims verified, 1 failed');
    expect(existsSync(join(cliWork, 'strict/02-failing/index.html'))).toBe(true);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('--allow-failures');
  }, 180_000);

  test('bad input: a clear message naming the file and line, exit 1, nothing written', async () => {
    const target = join(cliWork, 'bad');
    const [run, missing, claim] = await badInput;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'build failed: tests/fixtures/malformed/bad-front-matter/01-a/README.md:4: front matter: expected "key: value"',
    );
    expect(existsSync(target)).toBe(false);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/build failed: .*nope\.json: results file not found/);
    expect(claim.code).toBe(1);
    expect(claim.stderr).toContain(
      'build failed: tests/fixtures/malformed/missing-claim/01-a/README.md:13: {{claim "the cookie lasts an hour"}}: no claim of that name',
    );
  }, 180_000);
});
