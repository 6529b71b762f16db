/**
 * Content hashes of files, for the caches that must never be stale (verify results, API docs).
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (node_modules skipped), as sorted paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...listFiles(dir, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** A hash being fed named parts; each part's length is part of it, so parts cannot run together. */
export class Hasher {
  private readonly hash = createHash('sha256');
  add(name: string, bytes: string | Buffer): void {
    this.hash.update(`${name}\u0000${Buffer.byteLength(bytes)}\u0000`);
    this.hash.update(bytes);
  }
  digest(): string {
    return this.hash.digest('hex').slice(0, 32);
  }
}
