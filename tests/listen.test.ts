/**
 * How every snippet starts listening (its `listen` region): a port that is taken is an error that
 * says so and exits non-zero, never "Listening" and exit 0. The region is the same in every
 * chapter's app.ts and in the new-chapter template (one text, so one run proves it); chapter 01's
 * app.ts is run for real against a port this test holds.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chapterTemplate } from '../src/scaffold.ts';

const root = join(import.meta.dirname, '..');
const chaptersDir = join(root, 'chapters');

/** The text between `// #region listen` and `// #endregion listen`, or undefined. */
function listenRegion(text: string): string | undefined {
  const match = /\/\/ #region listen\n([\s\S]*?)\/\/ #endregion listen/.exec(text);
  return match?.[1];
}

const template = listenRegion(String(chapterTemplate('x', 'X', 99).files.find((f) => f.path === 'app.ts')?.content));

describe('every snippet listens the same way', () => {
  test('the template has a listen region that exits non-zero on a listen error', () => {
    expect(template).toContain('process.exit(1)');
    expect(template).toContain('Cannot listen on port');
  });

  test.each(readdirSync(chaptersDir).filter((d) => /^\d{2,3}-/.test(d)))(
    '%s/app.ts has the template’s listen region',
    (dir) => {
      expect(listenRegion(readFileSync(join(chaptersDir, dir, 'app.ts'), 'utf8'))).toBe(template);
    },
  );
});

describe('a snippet whose port is taken', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  test('says it cannot listen, names the port, and exits 1 (chapter 01, run with tsx)', async () => {
    const app = join(chaptersDir, '01-cookies-and-sessions/app.ts');
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', app],
        { cwd: root, env: { ...process.env, PORT: String(port), NODE_ENV: 'development' }, timeout: 60_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(run.stderr).toContain(`Cannot listen on port ${port}: listen EADDRINUSE`);
    expect(run.stdout).not.toContain('Listening');
    expect(run.code).toBe(1);
  });
});
