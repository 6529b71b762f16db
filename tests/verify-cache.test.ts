/**
 * Incremental verification is never stale: builds of a small project copied into a temporary
 * folder (two fixture chapters, the testkit, the configs, the lockfile; node_modules linked), with
 * the verify cache on, and which chapters each build really ran.
 */
import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BuildReport, build } from '../src/build.ts';
import { VerifyCache } from '../src/cache.ts';
import { findChapters } from '../src/find.ts';

const real = join(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'verify-cache-'));
const cacheDir = join(root, '.cache/verify');

beforeAll(() => {
  for (const name of ['vitest.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'])
    cpSync(join(real, name), join(root, name));
  cpSync(join(real, 'src/testkit'), join(root, 'src/testkit'), { recursive: true });
  symlinkSync(join(real, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'chapters'));
  cpSync(join(real, 'tests/fixtures/chapters-e2e/01-passing'), join(root, 'chapters/01-passing'), { recursive: true });
  cpSync(join(real, 'tests/fixtures/chapters-faults/01-passing'), join(root, 'chapters/02-trivial'), {
    recursive: true,
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(cache: string | false = cacheDir): Promise<BuildReport> {
  return build({
    root,
    out: join(root, 'site'),
    verifyCache: cache,
    mutationResults: false,
    search: false,
    apiDocs: false,
  });
}

describe('incremental verification', () => {
  let first: BuildReport;

  test('a first build runs every chapter; a second with nothing changed runs none and shows the same results, from the first run', async () => {
    first = await run();
    expect(first.verify).toEqual({ ran: ['01-passing', '02-trivial'], cached: [] });
    expect(first.tally).toEqual({ passed: 3, failed: 0, skipped: 1, total: 4 });
    const again = await run();
    expect(again.verify).toEqual({ ran: [], cached: ['01-passing', '02-trivial'] });
    expect(again.verification.chapters).toEqual(first.verification.chapters);
    // The page gives the date of the run the results come from, not of this build.
    const date = first.verification.chapters[0]?.run?.date as string;
    expect(date).toMatch(/^\d{4}-/);
    expect(readFileSync(join(root, 'site/01-passing/index.html'), 'utf8')).toContain(
      `These results come from the run of <time datetime="${date}">`,
    );
  }, 300_000);

  test("changing one chapter's file re-runs only that chapter", async () => {
    appendFileSync(join(root, 'chapters/02-trivial/app.test.ts'), '\n// changed\n');
    expect((await run()).verify).toEqual({ ran: ['02-trivial'], cached: ['01-passing'] });
  }, 300_000);

  test('changing one testkit file re-runs every chapter', async () => {
    appendFileSync(join(root, 'src/testkit/cookies.ts'), '\n// changed\n');
    expect((await run()).verify).toEqual({ ran: ['01-passing', '02-trivial'], cached: [] });
  }, 300_000);

  test('changing the lockfile re-runs every chapter', async () => {
    appendFileSync(join(root, 'package-lock.json'), '\n');
    expect((await run()).verify).toEqual({ ran: ['01-passing', '02-trivial'], cached: [] });
  }, 300_000);

  test('--no-cache (no cache folder) re-runs every chapter', async () => {
    expect((await run(false)).verify).toEqual({ ran: ['01-passing', '02-trivial'], cached: [] });
    // and the saved results are still there for the next build with the cache
    expect((await run()).verify).toEqual({ ran: [], cached: ['01-passing', '02-trivial'] });
  }, 300_000);
});

describe('the inputs hash', () => {
  const chapters = () => findChapters(join(root, 'chapters'), root);
  const hashes = () => {
    const cache = new VerifyCache(cacheDir, root);
    return chapters().map((c) => cache.inputs(c));
  };

  test('covers vitest.config.ts, tsconfig.json, the README and a new file in the chapter folder', () => {
    let before = hashes();
    for (const file of ['vitest.config.ts', 'tsconfig.json']) {
      appendFileSync(join(root, file), '\n');
      const after = hashes();
      expect(after[0]).not.toBe(before[0]);
      expect(after[1]).not.toBe(before[1]);
      before = after;
    }
    appendFileSync(join(root, 'chapters/01-passing/README.md'), '\nMore prose.\n');
    let after = hashes();
    expect(after).toEqual([expect.not.stringMatching(before[0] as string), before[1]]);
    before = after;
    writeFileSync(join(root, 'chapters/01-passing/data.json'), '{}');
    after = hashes();
    expect(after).toEqual([expect.not.stringMatching(before[0] as string), before[1]]);
  });

  test('covers the Chromium version (looked up once per binary) and the environment the specs read', () => {
    const fake = join(root, 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "Chromium 140.0.1"\n');
    chmodSync(fake, 0o755);
    const saved = { CHROMIUM_PATH: process.env.CHROMIUM_PATH, REDIS_URL: process.env.REDIS_URL };
    try {
      const before = hashes();
      process.env.CHROMIUM_PATH = fake;
      const withFake = hashes();
      expect(withFake[0]).not.toBe(before[0]);
      // Another version in the same place: a new binary (size and time change), looked up again.
      writeFileSync(fake, '#!/bin/sh\necho "Chromium 141.0.22"\n');
      const newer = hashes();
      expect(newer[0]).not.toBe(withFake[0]);
      process.env.REDIS_URL = 'redis://127.0.0.1:1';
      expect(hashes()[0]).not.toBe(newer[0]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('the build command', () => {
  test('a --time-limit that is not a number of seconds above 0 is refused with exit 2, before anything runs', async () => {
    for (const value of ['abc', '0', '-5']) {
      const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', join(real, 'scripts/build.ts'), `--time-limit=${value}`, '--out', join(root, 'never')],
          { cwd: real },
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
        );
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`build: --time-limit: expected a number of seconds above 0, got "${value}"`);
    }
  }, 180_000);
});
