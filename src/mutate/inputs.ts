/**
 * The inputs of a chapter's mutation run, as one content hash: a saved run stands for the current
 * chapter only while every byte it could observe is the same.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chapter } from '../types.ts';

/** Files outside the chapter that a spec or the mutants can observe. */
const SHARED = ['vitest.config.ts', 'package-lock.json', 'tsconfig.json'];
const SHARED_DIRS = ['src/testkit', 'src/mutate'];

/**
 * Hash of the chapter's files (README excluded: prose changes no claim), the testkit, the
 * operators, the test config, the lockfile and the Node version.
 */
export function inputsHash(root: string, chapter: Chapter): string {
  const hash = createHash('sha256');
  const add = (name: string, bytes: string | Buffer): void => {
    hash.update(`${name}\u0000${bytes.length}\u0000`);
    hash.update(bytes);
  };
  for (const f of chapter.files) add(`chapter/${f.name}`, f.text);
  for (const name of SHARED) {
    const path = join(root, name);
    if (existsSync(path)) add(name, readFileSync(path));
  }
  for (const dir of SHARED_DIRS) {
    const path = join(root, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path).sort()) {
      if (name.endsWith('.test.ts')) continue;
      add(`${dir}/${name}`, readFileSync(join(path, name)));
    }
  }
  add('node', process.versions.node);
  return hash.digest('hex').slice(0, 16);
}
