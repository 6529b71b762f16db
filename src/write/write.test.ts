import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { SiteFile } from '../types.ts';
import { SiteWriter, startApiDocs, writeSite } from '../write.ts';

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

describe('write: pages streamed to a temporary folder, swapped in at the end', () => {
  test('each file is on disk (in the temporary folder) as soon as it is given, and the site appears only at the end', async () => {
    const { dir, out } = work();
    const seen: string[][] = [];
    async function* pages(): AsyncGenerator<SiteFile> {
      yield { path: 'index.html', content: 'new' };
      yield { path: '01-a/index.html', content: 'a' };
      // Both files are already written, beside the old site, which is unchanged.
      const tmp = readdirSync(dir).filter((n) => n.startsWith('.site.tmp-'));
      seen.push(tmp, readdirSync(join(dir, tmp[0] as string)).sort());
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
      yield { path: 'assets/site.css', content: 'x' };
    }
    await writeSite(pages(), options(out));
    expect(seen[0]).toHaveLength(1);
    expect(seen[1]).toEqual(['01-a', 'index.html']);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('new');
    expect(readdirSync(out).sort()).toEqual(['01-a', 'assets', 'index.html']);
    // site is now a symlink to the new build beside it; the old folder is gone.
    expect(readdirSync(dir).sort()).toEqual([readlinkSync(out), 'site'].sort());
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

  test('a SiteWriter aborted after some pages removes them; a first build that fails leaves no site at all', () => {
    const { dir } = work();
    const fresh = join(dir, 'never');
    const site = new SiteWriter(fresh);
    site.write({ path: 'index.html', content: 'x' });
    expect(existsSync(site.tmp)).toBe(true);
    site.abort();
    expect(existsSync(site.tmp)).toBe(false);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('paths outside the site and a path given twice are refused, and nothing is swapped in', async () => {
    const { dir, out } = work();
    await expect(writeSite([{ path: '../evil', content: 'x' }], options(out))).rejects.toThrow(
      'refusing to write outside the site',
    );
    await expect(
      writeSite(
        [
          { path: 'a.html', content: '1' },
          { path: 'a.html', content: '2' },
        ],
        options(out),
      ),
    ).rejects.toThrow('two files with one path: a.html');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['site']);
  });

  test('finish swaps the new folder in and cannot be called twice; abort after finish does nothing', async () => {
    const { out } = work();
    const site = new SiteWriter(out);
    site.write({ path: 'index.html', content: 'new' });
    await site.finish({ search: false, apiDocs: false });
    site.abort();
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('new');
    await expect(site.finish({ search: false, apiDocs: false })).rejects.toThrow('already finished');
  });

  test('a file that cannot be written is the build error naming the site, not a bare file system error', () => {
    const { dir } = work();
    const site = new SiteWriter(join(dir, 'site'));
    writeFileSync(join(site.tmp, 'assets'), 'a file where a folder goes');
    expect(() => site.write({ path: 'assets/site.css', content: 'x' })).toThrow(
      /\/site: cannot write the site here \(E[A-Z]+: /,
    );
    site.abort();
  });
});

/** The pids of the processes in a process group, from /proc. */
function groupMembers(group: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group && fields[0] !== 'Z') pids.push(Number(name));
    } catch {}
  }
  return pids;
}

describe('write: typedoc runs in its own process group', () => {
  test('its pid and command line are recorded in its folder, and stop() ends the whole group and removes the folder', async () => {
    const { dir, out } = work();
    const job = startApiDocs(join(import.meta.dirname, '../..'), out);
    const { pid, argv } = JSON.parse(readFileSync(join(job.dir, 'typedoc.pid'), 'utf8')) as {
      pid: number;
      argv: string[];
    };
    expect(argv.slice(-2)).toEqual(['--out', job.docs]);
    expect(groupMembers(pid)).toContain(pid); // it leads its own group
    await job.stop();
    expect(groupMembers(pid)).toEqual([]);
    await expect(job.done).rejects.toThrow('typedoc was stopped');
    expect(readdirSync(dir)).toEqual(['site']);
  });
});
