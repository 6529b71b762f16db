/**
 * Incremental verification: each chapter's results are kept under `.cache/verify/` with a content
 * hash of everything its specs can observe, and a build re-runs only the chapters whose hash
 * changed. The hash covers the chapter folder's files (every byte, README included), the testkit
 * (`src/testkit/`), `vitest.config.ts`, `package.json`, `package-lock.json`, `tsconfig.json`, the
 * files verify itself adds to the run, the Node version, the Chromium and redis-server binaries
 * (their `--version`, looked up once per binary and kept in `.cache/verify/tools.json`) and the
 * environment variables the specs read (`CI`, `REDIS_URL`, `CHROMIUM_PATH`, `NODE_ENV`,
 * `NODE_OPTIONS`). A change to any shared input re-runs every chapter; a change inside one chapter
 * folder re-runs that chapter only.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Hasher, listFiles } from './hash.ts';
import type { Chapter, ChapterResult } from './types.ts';
import { VERIFY_RUNTIME_FILES } from './verify.ts';

/** Bumped when the saved format or the meaning of a result changes: every saved result is then ignored. */
const FORMAT = 1;

/** Files of the project root that every spec can observe. */
export const SHARED_FILES = ['vitest.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Folders of the project root that every spec can observe (all their files, at any depth). */
export const SHARED_DIRS = ['src/testkit'];
/** Environment variables the specs (or the testkit) read. */
export const SHARED_ENV = ['CI', 'REDIS_URL', 'CHROMIUM_PATH', 'NODE_ENV', 'NODE_OPTIONS'];

/** Where a command would be found on PATH, or undefined. */
function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, command);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A binary's `--version`, run only when the binary is new or changed since the last lookup (by path,
 * size and modification time; the answers are kept in `store`): Chromium takes a quarter of a
 * second to answer.
 */
function toolVersion(path: string | undefined, store: Record<string, string>): string {
  if (!path) return 'absent';
  let id: string;
  try {
    const stat = statSync(path);
    id = `${path}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return `absent (${path})`;
  }
  const known = store[id];
  if (known !== undefined) return known;
  let version: string;
  try {
    version = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
    }).trim();
  } catch {
    version = `unknown (${id})`;
  }
  store[id] = version;
  return version;
}

/** Writes a file whole or not at all: a killed build never leaves half a cache entry. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

interface Entry {
  format: number;
  chapter: string;
  dir: string;
  inputs: string;
  result: ChapterResult;
}

/** The saved results of a verify run, by chapter, and the inputs hash each stands for. */
export class VerifyCache {
  private readonly shared: string;
  private readonly hashes = new Map<string, string>();

  /**
   * @param dir where the results are kept (`.cache/verify`)
   * @param root the project root: the shared inputs are read from it
   */
  constructor(
    readonly dir: string,
    readonly root: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.shared = this.sharedInputs();
  }

  /** The hash of the inputs every chapter shares; computed once per build. */
  private sharedInputs(): string {
    const hash = new Hasher();
    hash.add('format', String(FORMAT));
    for (const name of SHARED_FILES) {
      const path = join(this.root, name);
      hash.add(name, existsSync(path) ? readFileSync(path) : '(absent)');
    }
    for (const dir of SHARED_DIRS)
      for (const name of listFiles(join(this.root, dir)))
        hash.add(`${dir}/${name}`, readFileSync(join(this.root, dir, name)));
    for (const path of VERIFY_RUNTIME_FILES) hash.add(`verify/${path.split('/').pop() ?? path}`, readFileSync(path));
    hash.add('node', process.versions.node);
    const toolsFile = join(this.dir, 'tools.json');
    let tools: Record<string, string> = {};
    try {
      tools = JSON.parse(readFileSync(toolsFile, 'utf8')) as Record<string, string>;
    } catch {
      // first build, or a broken file: look the versions up again
    }
    const before = JSON.stringify(tools);
    hash.add('chromium', toolVersion(process.env.CHROMIUM_PATH || '/usr/bin/chromium', tools));
    hash.add('redis-server', toolVersion(which('redis-server'), tools));
    if (JSON.stringify(tools) !== before) writeAtomic(toolsFile, JSON.stringify(tools, null, 1));
    for (const name of SHARED_ENV)
      hash.add(`env ${name}`, process.env[name] === undefined ? '(unset)' : `=${process.env[name]}`);
    return hash.digest();
  }

  /** The hash of everything this chapter's specs can observe. */
  inputs(chapter: Chapter): string {
    const known = this.hashes.get(chapter.id);
    if (known) return known;
    const hash = new Hasher();
    hash.add('shared', this.shared);
    hash.add('dir', chapter.dir);
    const folder = join(this.root, chapter.dir);
    for (const name of listFiles(folder)) hash.add(`chapter/${name}`, readFileSync(join(folder, name)));
    const digest = hash.digest();
    this.hashes.set(chapter.id, digest);
    return digest;
  }

  private file(chapter: Chapter): string {
    const key = createHash('sha256').update(chapter.dir).digest('hex').slice(0, 8);
    return join(this.dir, `${chapter.id}-${key}.json`);
  }

  /** The saved results of this chapter if they were made from exactly its current inputs. */
  get(chapter: Chapter): ChapterResult | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.file(chapter), 'utf8')) as Entry;
    } catch {
      return undefined; // none yet, or unreadable: run the chapter
    }
    if (
      entry?.format !== FORMAT ||
      entry.inputs !== this.inputs(chapter) ||
      entry.dir !== chapter.dir ||
      entry.result?.id !== chapter.id
    )
      return undefined;
    if (!Array.isArray(entry.result.tests) || !Array.isArray(entry.result.fileErrors) || !entry.result.run)
      return undefined;
    return entry.result;
  }

  /**
   * Keeps this chapter's results for later builds, unless the run was stopped or died (a time-out
   * or a crash may be the machine's, not the chapter's: it is run again next time).
   */
  save(chapter: Chapter, result: ChapterResult): boolean {
    if (result.fileErrors.some((e) => e.fault !== undefined) || !result.run) return false;
    const entry: Entry = {
      format: FORMAT,
      chapter: chapter.id,
      dir: chapter.dir,
      inputs: this.inputs(chapter),
      result,
    };
    writeAtomic(this.file(chapter), JSON.stringify(entry));
    return true;
  }
}
