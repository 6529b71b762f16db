import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { apiDocsKey, startApiDocs } from './api-docs.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A project root with a few src/ files, typedoc's configuration and a stand-in for typedoc that
 * writes an index.html saying which run made it (each run writes a different one).
 */
function project(): { root: string; out: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'api-docs-'));
  made.push(dir);
  const root = join(dir, 'project');
  mkdirSync(join(root, 'src/render'), { recursive: true });
  writeFileSync(join(root, 'src/build.ts'), '/** Builds. */\nexport const build = 1;\n');
  writeFileSync(join(root, 'src/render/pages.ts'), '/** Pages. */\nexport const pages = 2;\n');
  writeFileSync(join(root, 'src/build.test.ts'), 'test("x", () => {});\n');
  for (const name of ['typedoc.json', 'tsconfig.typedoc.json', 'tsconfig.json', 'package.json', 'package-lock.json'])
    writeFileSync(join(root, name), `{"name": "${name}"}\n`);
  mkdirSync(join(root, 'node_modules/typedoc/bin'), { recursive: true });
  writeFileSync(
    join(root, 'node_modules/typedoc/bin/typedoc'),
    `const fs = require('fs'); const path = require('path');
const out = process.argv[process.argv.indexOf('--out') + 1];
fs.mkdirSync(path.join(out, 'modules'), { recursive: true });
fs.writeFileSync(path.join(out, 'index.html'), 'docs of run ' + process.pid + ' ' + Math.random());
fs.writeFileSync(path.join(out, 'modules', 'build.html'), 'build');\n`,
  );
  return { root, out: join(dir, 'site'), cache: join(dir, 'cache') };
}

describe('API docs: the hash of what typedoc reads', () => {
  test('changes with a src/ file, typedoc.json, the TypeScript configuration and the lockfile; not with a src/ test file', () => {
    const { root } = project();
    const first = apiDocsKey(root);
    expect(apiDocsKey(root)).toBe(first);
    writeFileSync(join(root, 'src/build.test.ts'), 'test("y", () => {});\n');
    expect(apiDocsKey(root)).toBe(first);
    const seen = new Set([first]);
    for (const [file, text] of [
      ['src/render/pages.ts', '/** Pages, documented otherwise. */\nexport const pages = 2;\n'],
      ['src/new.ts', 'export const added = 3;\n'],
      ['typedoc.json', '{"name": "renamed"}\n'],
      ['tsconfig.typedoc.json', '{"compilerOptions": {}}\n'],
      ['tsconfig.json', '{"compilerOptions": {"strict": true}}\n'],
      ['package-lock.json', '{"lockfileVersion": 3}\n'],
    ] as const) {
      writeFileSync(join(root, file), text);
      const key = apiDocsKey(root);
      expect(seen.has(key), file).toBe(false);
      seen.add(key);
    }
  });
});

describe('API docs: kept between builds', () => {
  test('the first build runs typedoc and keeps its output; the next, with src/ unchanged, copies it and runs nothing', async () => {
    const { root, out, cache } = project();
    const first = startApiDocs(root, out, { cache });
    expect(first.source).toBe('typedoc');
    await first.done;
    const made = readFileSync(join(first.docs, 'index.html'), 'utf8');
    await first.stop();
    expect(readdirSync(cache)).toEqual([apiDocsKey(root)]);

    const second = startApiDocs(root, out, { cache });
    expect(second.source).toBe('cache');
    await second.done;
    expect(readFileSync(join(second.docs, 'index.html'), 'utf8')).toBe(made);
    expect(readFileSync(join(second.docs, 'modules/build.html'), 'utf8')).toBe('build');
    await second.stop();
    expect(readdirSync(join(out, '..')).filter((n) => n.includes('.api-'))).toEqual([]); // the job's folder is gone
  });

  test('never stale: after a src/ change typedoc runs again, and only the newest output is kept', async () => {
    const { root, out, cache } = project();
    const first = startApiDocs(root, out, { cache });
    await first.done;
    const before = readFileSync(join(first.docs, 'index.html'), 'utf8');
    await first.stop();
    writeFileSync(join(root, 'src/build.ts'), '/** Builds, changed. */\nexport const build = 1;\n');
    const second = startApiDocs(root, out, { cache });
    expect(second.source).toBe('typedoc');
    await second.done;
    expect(readFileSync(join(second.docs, 'index.html'), 'utf8')).not.toBe(before);
    await second.stop();
    expect(readdirSync(cache)).toEqual([apiDocsKey(root)]);
  });

  test('a kept folder without index.html (not one this code makes) is not used; without a cache typedoc always runs', async () => {
    const { root, out, cache } = project();
    mkdirSync(join(cache, apiDocsKey(root)), { recursive: true });
    const job = startApiDocs(root, out, { cache });
    expect(job.source).toBe('typedoc');
    await job.done;
    await job.stop();
    const again = startApiDocs(root, out);
    expect(again.source).toBe('typedoc');
    await again.done;
    await again.stop();
  });

  test('a typedoc that fails keeps nothing, and its error is the build’s', async () => {
    const { root, out, cache } = project();
    writeFileSync(
      join(root, 'node_modules/typedoc/bin/typedoc'),
      'console.error("error TS2304: Cannot find name"); process.exit(3);\n',
    );
    const job = startApiDocs(root, out, { cache });
    await expect(job.done).rejects.toThrow(/typedoc failed \(exit 3\)[\s\S]*TS2304/);
    await job.stop();
    expect(existsSync(cache)).toBe(false);
  });
});
