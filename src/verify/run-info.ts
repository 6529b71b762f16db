/**
 * What a verify run records about itself: the installed versions it ran against, its date and
 * commit.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunInfo } from '../types.ts';

function packageVersion(root: string, name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return json.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The installed version of each of `root`'s package.json runtime dependencies, and of tsx, by name. */
export function dependencyVersions(root: string): Record<string, string> {
  let names: string[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    // tsx too: it is what a reader runs a snippet with.
    names = [...Object.keys(manifest.dependencies ?? {}), 'tsx'].sort();
  } catch {
    return {};
  }
  const versions: Record<string, string> = {};
  for (const name of names) versions[name] = packageVersion(root, name);
  return versions;
}

/** Versions, date and commit of a run made now in `root`. */
export function runInfo(root: string, date = new Date()): RunInfo {
  return {
    versions: {
      node: process.versions.node,
      express: packageVersion(root, 'express'),
      'express-session': packageVersion(root, 'express-session'),
      'cookie-parser': packageVersion(root, 'cookie-parser'),
    },
    packages: dependencyVersions(root),
    date: date.toISOString(),
    commit: git(root, ['rev-parse', 'HEAD']) ?? 'unknown',
    dirty: (git(root, ['status', '--porcelain']) ?? '') !== '',
  };
}
