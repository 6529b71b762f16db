/**
 * Results saved to a file and read back, for a `--results FILE` build.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BuildError } from '../errors.ts';
import type { Verification } from '../types.ts';

/** Writes results to a JSON file, for a later `--results FILE` build. */
export function saveVerification(path: string, verification: Verification): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(verification, null, 1)}\n`);
}

/**
 * Reads results saved by {@link saveVerification}.
 * @param display the path to show in messages
 * @throws BuildError when the file is missing or not a results file
 */
export function loadVerification(path: string, display = path): Verification {
  if (!existsSync(path)) throw new BuildError(display, 'results file not found');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BuildError(display, `not valid JSON: ${(error as Error).message}`);
  }
  const v = data as Partial<Verification>;
  if (!v || typeof v !== 'object' || !v.run || !Array.isArray(v.chapters) || !v.run.versions) {
    throw new BuildError(display, 'not a results file: expected { run: { versions, date, commit }, chapters: [...] }');
  }
  for (const chapter of v.chapters) {
    if (typeof chapter?.id !== 'string' || !Array.isArray(chapter.tests)) {
      throw new BuildError(display, 'not a results file: every chapter needs an id and a tests array');
    }
    chapter.fileErrors ??= [];
  }
  return v as Verification;
}
