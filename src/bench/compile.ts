/**
 * The benchmark's render child, compiled once with esbuild into one ES module under
 * `.cache/bench/`, keyed by a hash of the sources: timing it then measures our render, not a
 * TypeScript loader starting up (tsx costs a few hundred milliseconds per process).
 *
 * Packages stay external (shiki loads from node_modules, only when a code block is not cached),
 * but for markdown-it and its dependencies, which every render needs: they are compiled in, which
 * saves the ES module loader's work on their files at every start. `import.meta.url` and
 * `import.meta.dirname` keep pointing at each original source file, so the renderer still finds
 * its assets.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Packages compiled into the bundle: markdown-it and its dependencies (see the plugin below). */
const BUNDLED = new Set(['markdown-it', 'mdurl', 'uc.micro', 'entities', 'linkify-it', 'punycode.js']);

/** Every file under `dir` (tests left out), sorted. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (!entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

/**
 * Compiles `src/bench/render-child.ts` (if its bundle for the current sources is not there yet) and
 * returns the bundle's path, to run with plain `node`.
 */
export async function compileRenderChild(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...sources(join(root, 'src')), join(root, 'package-lock.json')])
    hash.update(file).update('\0').update(readFileSync(file));
  const dir = join(root, '.cache/bench');
  const bundle = join(dir, `render-child-${hash.digest('hex').slice(0, 16)}.mjs`);
  if (existsSync(bundle)) return bundle;
  const esbuild = await import('esbuild');
  const src = join(root, 'src');
  await esbuild.build({
    entryPoints: [join(src, 'bench/render-child.ts')],
    outfile: `${bundle}.tmp.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        // Packages stay external, but for markdown-it and what it imports: every page needs them, and
        // Node's ES module loader takes about 60 ms to resolve and link their seven files, against
        // about 25 ms to compile them inside the bundle.
        name: 'external-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            const name = args.path.startsWith('@')
              ? args.path.split('/').slice(0, 2).join('/')
              : (args.path.split('/')[0] as string);
            return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
          });
        },
      },
      {
        name: 'keep-import-meta',
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => {
            if (!args.path.startsWith(src)) return undefined;
            const text = readFileSync(args.path, 'utf8')
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
              .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
            return { contents: text, loader: 'ts' };
          });
        },
      },
    ],
  });
  // Older bundles go; the new one takes its name only when complete.
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir))
    if (name.startsWith('render-child-') && !name.startsWith(bundle.slice(dir.length + 1)))
      rmSync(join(dir, name), { force: true });
  renameSync(`${bundle}.tmp.mjs`, bundle);
  return bundle;
}
