import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { SiteFile } from './types.ts';
import { FileWriter, leftovers, SiteWriter, writeSite } from './write.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A work folder holding an existing site `site/` with one page. */
function work(): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'write-'));
  dirs.push(dir);
  const out = join(dir, 'site');
  mkdirSync(out);
  writeFileSync(join(out, 'index.html'), 'old');
  return { dir, out };
}

const options = (out: string) => ({ out, search: false, apiDocs: false as const });
/** The temporary folders next to the site. */
const temporary = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.site.tmp-'));

/** The process id of a process that has exited (for a leftover whose build is gone). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('write: pages streamed to a temporary folder, swapped in at the end', () => {
  test('files are written while the render goes on, beside the old site, and the site appears only at the end', async () => {
    const { dir, out } = work();
    async function* pages(): AsyncGenerator<SiteFile> {
      yield { path: 'index.html', content: 'new' };
      yield { path: '01-a/index.html', content: 'a' };
      // The render has not finished, yet both files reach the disk, beside the old site, which is unchanged.
      await vi.waitFor(() => expect(temporary(dir).map((tmp) => readFileSync(join(dir, tmp, '01-a/index.html'), 'utf8'))).toEqual(['a']), { timeout: 5000 });
      expect(readFileSync(join(dir, temporary(dir)[0] as string, 'index.html'), 'utf8')).toBe('new');
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
      yield { path: 'assets/site.css', content: 'x' };
    }
    await writeSite(pages(), options(out));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('new');
    expect(readFileSync(join(out, 'assets/site.css'), 'utf8')).toBe('x');
    expect(readdirSync(out).sort()).toEqual(['01-a', 'assets', 'index.html']);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('a render that fails half-way leaves the old site as it was and no temporary folder', async () => {
    const { dir, out } = work();
    async function* failing(): AsyncGenerator<SiteFile> {
      yield { path: 'index.html', content: 'new' };
      yield { path: '01-a/index.html', content: 'a' };
      throw new Error('render failed on chapter 2');
    }
    await expect(writeSite(failing(), options(out))).rejects.toThrow('render failed on chapter 2');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
    expect(readdirSync(out)).toEqual(['index.html']);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('a file the system refuses to write fails the build: the old site stays, no temporary folder', async () => {
    const { dir, out } = work();
    // `a` is a file, so `a/b.html` cannot be made: the worker's error comes back to the build.
    const files = [
      { path: 'a', content: '1' },
      { path: 'a/b.html', content: '2' },
      { path: 'c.html', content: '3' },
    ];
    await expect(writeSite(files, options(out))).rejects.toThrow(/^E[A-Z]+: .*\(writing a\/b\.html\)$/);
    expect(readdirSync(out)).toEqual(['index.html']);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('a SiteWriter aborted after some pages removes them; a first build that fails leaves no site at all', async () => {
    const { dir } = work();
    const fresh = join(dir, 'never');
    const site = new SiteWriter(fresh);
    await site.write({ path: '01-a/index.html', content: 'x' });
    await vi.waitFor(() => expect(existsSync(join(site.tmp, '01-a/index.html'))).toBe(true), { timeout: 5000 });
    await site.abort();
    expect(existsSync(site.tmp)).toBe(false);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('paths outside the site and a path given twice are refused, and nothing is swapped in', async () => {
    const { dir, out } = work();
    await expect(writeSite([{ path: '../evil', content: 'x' }], options(out))).rejects.toThrow('refusing to write outside the site');
    await expect(writeSite([{ path: '/etc/evil', content: 'x' }], options(out))).rejects.toThrow('refusing to write outside the site');
    await expect(writeSite([{ path: 'a.html', content: '1' }, { path: 'a.html', content: '2' }], options(out))).rejects.toThrow('two files with one path: a.html');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('finish swaps the new folder in and cannot be called twice; abort after finish does nothing', async () => {
    const { out } = work();
    const site = new SiteWriter(out);
    await site.write({ path: 'index.html', content: 'new' });
    await site.finish({ search: false, apiDocs: false });
    await site.abort();
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('new');
    await expect(site.finish({ search: false, apiDocs: false })).rejects.toThrow('already finished');
    expect(() => site.write({ path: 'late.html', content: 'x' })).toThrow('already finished');
  });

  test('a file whose bytes are the old site’s is linked to it, not created; a changed one is a new file; the old site is untouched until the swap', async () => {
    const { dir, out } = work();
    mkdirSync(join(out, '01-a'));
    writeFileSync(join(out, '01-a/app.ts'), 'const x = "é…";\n');
    writeFileSync(join(out, '01-a/index.html'), 'page 1');
    const before = { app: statSync(join(out, '01-a/app.ts')).ino, page: statSync(join(out, '01-a/index.html')).ino, index: statSync(join(out, 'index.html')).ino };
    const site = new SiteWriter(out);
    await site.write({ path: 'index.html', content: 'old' }); // same bytes
    await site.write({ path: '01-a/app.ts', content: 'const x = "é…";\n' }); // same bytes, not all ASCII
    await site.write({ path: '01-a/index.html', content: 'page 2' }); // changed
    await site.write({ path: '01-a/new.ts', content: 'new' }); // not in the old site
    await vi.waitFor(() => expect(existsSync(join(site.tmp, '01-a/new.ts'))).toBe(true), { timeout: 5000 });
    // Before the swap the old site reads as it did.
    expect(readFileSync(join(out, '01-a/index.html'), 'utf8')).toBe('page 1');
    expect(readdirSync(join(out, '01-a')).sort()).toEqual(['app.ts', 'index.html']);
    await site.finish({ search: false, apiDocs: false });
    expect(site.linked).toBe(2);
    expect(statSync(join(out, 'index.html')).ino).toBe(before.index);
    expect(statSync(join(out, '01-a/app.ts')).ino).toBe(before.app);
    expect(statSync(join(out, '01-a/index.html')).ino).not.toBe(before.page);
    expect(readFileSync(join(out, '01-a/index.html'), 'utf8')).toBe('page 2');
    expect(readFileSync(join(out, '01-a/app.ts'), 'utf8')).toBe('const x = "é…";\n');
    // The old site is gone, so each file has one name again.
    for (const path of ['index.html', '01-a/app.ts', '01-a/index.html', '01-a/new.ts']) expect(statSync(join(out, path)).nlink).toBe(1);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('folders left by a build whose process died are removed by the next build; a running build’s are kept', async () => {
    const { dir, out } = work();
    const dead = deadPid();
    const stale = [`.site.tmp-${dead}-abc`, `.site.old-${dead}-abc`, `.site.api-${dead}-abc`].map((n) => join(dir, n));
    const live = join(dir, `.site.tmp-${process.pid}-abc`);
    const other = join(dir, `.other.tmp-${dead}-abc`); // another output's: not ours to judge
    for (const path of [...stale, live, other]) {
      mkdirSync(path);
      writeFileSync(join(path, 'index.html'), 'left');
    }
    expect(leftovers(out)).toEqual([...stale].sort());
    await writeSite([{ path: 'index.html', content: 'new' }], options(out));
    expect(readdirSync(dir).sort()).toEqual([`.other.tmp-${dead}-abc`, `.site.tmp-${process.pid}-abc`, 'site']);
  });

  test('FileWriter in its worker: after an awaited write with no room to spare, the file is on disk', async () => {
    const { dir } = work();
    const target = join(dir, 'files');
    const writer = new FileWriter(target, { inline: 0, limit: 0 });
    try {
      await writer.write({ path: 'deep/er/x.txt', content: 'x'.repeat(1000) });
      expect(readFileSync(join(target, 'deep/er/x.txt'), 'utf8')).toHaveLength(1000);
      await writer.write({ path: 'deep/y.txt', content: 'y' });
      expect(readFileSync(join(target, 'deep/y.txt'), 'utf8')).toBe('y');
      expect(writer.count).toBe(2);
    } finally {
      await writer.close();
    }
    expect(() => writer.write({ path: 'z.txt', content: 'z' })).toThrow('closed');
  });

  test('FileWriter: the first files on the caller’s thread, the rest in the worker; unchanged bytes linked in both, changed ones new files', async () => {
    const { dir, out } = work();
    writeFileSync(join(out, 'same.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(out, 'changed.html'), 'v1');
    mkdirSync(join(out, 'sub'));
    writeFileSync(join(out, 'sub/same.html'), 'é…');
    writeFileSync(join(dir, 'elsewhere.html'), 'shared');
    linkSync(join(dir, 'elsewhere.html'), join(out, 'shared.html')); // a file with another name outside the site
    const ino = (p: string) => statSync(p).ino;
    const before = { index: ino(join(out, 'index.html')), bin: ino(join(out, 'same.bin')), sub: ino(join(out, 'sub/same.html')), changed: ino(join(out, 'changed.html')) };
    const target = join(dir, 'next');
    const writer = new FileWriter(target, { previous: out, inline: 2 });
    try {
      await writer.write({ path: 'index.html', content: 'old' }); // on this thread, linked
      await writer.write({ path: 'changed.html', content: 'v2' }); // on this thread, new
      await writer.write({ path: 'sub/same.html', content: 'é…' }); // in the worker, linked
      await writer.write({ path: 'same.bin', content: new Uint8Array([0, 1, 2, 255]) }); // in the worker, linked
      await writer.write({ path: 'sub/new.html', content: 'n' }); // in the worker, new
      await writer.write({ path: 'shared.html', content: 'shared' }); // same bytes, but not the site's alone: new
      await writer.flush();
    } finally {
      await writer.close();
    }
    expect(writer.linked).toBe(3);
    expect(ino(join(target, 'index.html'))).toBe(before.index);
    expect(ino(join(target, 'sub/same.html'))).toBe(before.sub);
    expect(ino(join(target, 'same.bin'))).toBe(before.bin);
    expect(ino(join(target, 'changed.html'))).not.toBe(before.changed);
    expect(readFileSync(join(target, 'changed.html'), 'utf8')).toBe('v2');
    expect(readFileSync(join(out, 'changed.html'), 'utf8')).toBe('v1');
    expect(readFileSync(join(target, 'sub/new.html'), 'utf8')).toBe('n');
    expect(statSync(join(target, 'shared.html')).nlink).toBe(1);
  });

  test('FileWriter in its worker: an error comes back with the path, later files are not written', async () => {
    const { dir } = work();
    const target = join(dir, 'files');
    const writer = new FileWriter(target, { inline: 0 });
    try {
      await writer.write({ path: 'a', content: '1' });
      await writer.write({ path: 'a/b.html', content: '2' });
      await writer.write({ path: 'c.html', content: '3' });
      await expect(writer.flush()).rejects.toThrow(/^E[A-Z]+: .*\(writing a\/b\.html\)$/);
      expect(() => writer.write({ path: 'd.html', content: '4' })).toThrow('(writing a/b.html)');
    } finally {
      await writer.close();
    }
    expect(readdirSync(target)).toEqual(['a']);
  });
});
