import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ChapterResult, Verification } from '../types.ts';
import { mergeResults } from './specs.ts';

const root = join(import.meta.dirname, '../..');

describe('results in dev', () => {
  test('merging one chapter’s new results keeps the others and the chapters’ order', () => {
    const v: Verification = {
      run: {
        versions: { node: '20', express: '5', 'express-session': '1', 'cookie-parser': '1' },
        date: 'd',
        commit: 'c',
        dirty: false,
      },
      chapters: [
        { id: '02-b', tests: [], fileErrors: [] },
        { id: '01-a', tests: [], fileErrors: [] },
      ],
    };
    const merged = mergeResults(
      v,
      [{ id: '01-a', tests: [], fileErrors: [{ file: 'x', message: 'y' }] }],
      ['01-a', '02-b'],
    );
    expect(merged.chapters.map((c) => c.id)).toEqual(['01-a', '02-b']);
    expect(merged.chapters[0]?.fileErrors).toHaveLength(1);
  });

  test('the dev loop and a build give the same results for the same chapters (durations and random cookie values aside)', async () => {
    // Both ways in a process of their own (dev's vitest instance must not live inside this test's vitest).
    const script = `import { findChapters } from ${JSON.stringify(join(root, 'src/find.ts'))};
      import { SpecRunner } from ${JSON.stringify(join(root, 'src/dev/specs.ts'))};
      import { verifyChapters } from ${JSON.stringify(join(root, 'src/verify.ts'))};
      const root = ${JSON.stringify(root)};
      const chapters = findChapters(${JSON.stringify(join(root, 'tests/fixtures/chapters-e2e'))}, root);
      const runner = await SpecRunner.create(root, ['tests/fixtures/chapters-e2e/*/*.test.ts']);
      const dev = await runner.run(chapters);
      await runner.close();
      const build = (await verifyChapters(chapters, { root })).chapters;
      process.stdout.write(JSON.stringify({ dev, build }));
      process.exitCode = 0; // vitest sets 1 for the fixture's failing claim`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    const { dev, build } = JSON.parse(out) as { dev: ChapterResult[]; build: ChapterResult[] };
    // Session IDs and Expires dates differ from run to run; a build's chapters also say which run they come from.
    const cookie = (c: string) => c.replace(/^([^=]+)=[^;]*/, '$1=…').replace(/Expires=[^;]*/, 'Expires=…');
    const comparable = (results: ChapterResult[]) =>
      results.map(({ run: _run, ...r }) => ({
        ...r,
        tests: r.tests.map(({ durationMs: _ms, ...t }) => ({
          ...t,
          exchanges: t.exchanges.map((e) => ({
            ...e,
            setCookie: e.setCookie.map(cookie),
            ...(e.cookie ? { cookie: cookie(e.cookie) } : {}),
          })),
        })),
      }));
    expect(build.map((r) => r.id)).toEqual(['01-passing', '02-failing']);
    expect(build[1]?.tests.some((t) => t.status === 'failed' && t.failure)).toBe(true);
    expect(build[0]?.tests.some((t) => t.status === 'skipped')).toBe(true);
    expect(comparable(dev)).toEqual(comparable(build));
  }, 180_000);
});
