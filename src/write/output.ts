/**
 * Where the site goes: the names of the folders a build makes beside the output, following the
 * output's symlinks, and removing what killed builds left (see src/write.ts for the whole story).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { BuildError } from '../errors.ts';
import { buildRunning, endLeftoverChild } from './processes.ts';

/** The kinds of folder a build makes beside the output; every name carries the pid of its build. */
export const TAGS = ['tmp', 'api', 'build', 'link', 'old'] as const;
export type Tag = (typeof TAGS)[number];

/** A name next to `path` that no other build uses: `.<name>.<tag>-<pid>-<time>-<random>`. */
export function sibling(path: string, tag: Tag): string {
  return join(
    dirname(path),
    `.${basename(path)}.${tag}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parses a name made by {@link sibling} for `base` (also the names builds before this one made, without the random part). */
export function parseSibling(base: string, name: string): { tag: Tag; pid: number; createdMs: number } | undefined {
  const match = new RegExp(`^\\.${escapeRegExp(base)}\\.(${TAGS.join('|')})-(\\d+)-([0-9a-z]+)(?:-[0-9a-f]+)?$`).exec(
    name,
  );
  if (!match) return undefined;
  return { tag: match[1] as Tag, pid: Number(match[2]), createdMs: Number.parseInt(match[3] as string, 36) };
}

/** Whether `target`, the text of the symlink `link`, is one of our build folders beside it. */
export function isBuildLink(link: string, target: string): boolean {
  return !target.includes('/') && parseSibling(basename(link), target)?.tag === 'build';
}

/** Where a build puts its site, once `out` and the symlinks it goes through are followed. */
export interface Output {
  /** `out` as the messages name it. */
  display: string;
  /**
   * `link`: `path` is `out`, our symlink to a build folder beside it (or a real folder, or nothing
   * yet, which the first build replaces with that symlink). `folder`: `path` is the folder a user's
   * symlink points to; it stays a folder and is replaced by two renames.
   */
  mode: 'link' | 'folder';
  path: string;
  /** For `link`, the build folder `out` points to now (kept by the clean-up). */
  current?: string;
}

/** `out` as an error message names it: relative to the working folder when inside it. */
export function displayPath(out: string): string {
  const rel = relative(process.cwd(), out);
  return rel && !rel.startsWith('..') ? rel : out;
}

/** A file system error while writing the output, as the one-line build error naming the folder. */
export function outputError(output: Pick<Output, 'display' | 'mode' | 'path'>, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || error instanceof BuildError) return error;
  const through = output.mode === 'folder' ? ` (a symlink to ${output.path})` : '';
  return new BuildError(
    output.display,
    `cannot write the site here${through} (${(error as Error).message}); make the folder writable, or build elsewhere with --out`,
  );
}

/**
 * Follows `out`: our own symlink (to `.NAME.build-…` beside it) is replaced as a whole; a symlink
 * of the user's (to a folder elsewhere) is followed, one link at a time, to the folder it names,
 * which is then the one replaced, and the symlinks stay as they are. Throws a {@link BuildError}
 * when the path cannot be a folder.
 */
export function resolveOutput(out: string): Output {
  const abs = resolve(out);
  const display = displayPath(abs);
  let path = abs;
  for (let hops = 0; hops <= 40; hops++) {
    const mode = path === abs ? 'link' : 'folder';
    let stat;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { display, mode, path };
      throw outputError({ display, mode, path }, error);
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = readlinkSync(path);
        if (isBuildLink(path, target)) return { display, mode: 'link', path, current: target };
        path = resolve(realpathSync(dirname(path)), target); // as the kernel follows it: from the link's real folder
      } catch (error) {
        throw outputError({ display, mode, path }, error);
      }
      continue;
    }
    if (stat.isDirectory()) return { display, mode, path };
    throw new BuildError(
      display,
      `${mode === 'folder' ? `is a symlink to ${path}, which ` : ''}is a file, not a folder`,
    );
  }
  throw new BuildError(display, 'too many levels of symlinks');
}

/**
 * Removes what builds killed outright left beside the output: their temporary, API docs, link
 * and set-aside folders, and build folders nothing points to, and ends the typedoc process group a
 * killed build left running. Folders of builds still running are left alone. Then checks that the
 * output's folder can be written: a {@link BuildError} naming it otherwise, before any spec runs.
 */
export async function prepareOutput(out: string): Promise<void> {
  const output = resolveOutput(out);
  const places = new Map([[dirname(output.path), basename(output.path)]]);
  places.set(dirname(resolve(out)), basename(resolve(out))); // leftovers from before `out` became the user's symlink
  for (const [dir, base] of places) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const made = parseSibling(base, name);
      if (!made || name === output.current || buildRunning(made.pid, made.createdMs)) continue;
      if (made.tag === 'api') await endLeftoverChild(join(dir, name));
      rmSync(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
    }
  }
  const dir = dirname(output.path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw outputError(output, error);
  }
}

/** Removes a folder if it can; what is left is removed by a later build. */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  } catch {}
}

/** Build folders beside `link` other than `keep` whose build is over. */
export function removeOldBuilds(link: string, keep: Set<string>): void {
  const dir = dirname(link);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {}
  for (const name of names) {
    const made = parseSibling(basename(link), name);
    if (
      made?.tag === 'build' &&
      !keep.has(name) &&
      (made.pid === process.pid || !buildRunning(made.pid, made.createdMs))
    )
      removeQuietly(join(dir, name));
  }
}
