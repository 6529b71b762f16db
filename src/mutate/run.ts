/**
 * The mutate step, beside verify: each mutant of a chapter's snippet files is laid out as a copy of
 * the chapter folder (under `.mutants-<pid>/`, at the same depth as `chapters/NN-slug/`, so the specs'
 * relative imports resolve), and the chapter's own specs run against every copy in one vitest
 * process. A mutant is killed when any claim fails (or its spec cannot run) and survives when every
 * claim passes. The unmutated chapter runs in the same process as the baseline.
 *
 * Two passes keep it within CI's time: the HTTP specs first, then the slower specs (headless
 * Chromium) only for the mutants that survived the first.
 * @module
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Chapter, ChapterMutation, Mutant, MutantResult } from '../types.ts';
import type { VitestJsonReport } from '../verify.ts';
import { inputsHash } from './inputs.ts';
import { applyMutant, mutantsOf } from './operators.ts';

/** The files whose mutants are run: the snippet to copy, the article's code, the pitfalls. */
export function mutableFiles(chapter: Chapter): Chapter['files'] {
  return chapter.files.filter(
    (f) =>
      (f.role === 'snippet' || f.role === 'article' || f.role === 'pitfall') &&
      f.name.endsWith('.ts') &&
      !f.name.endsWith('.d.ts'),
  );
}

/** A spec that runs in the second pass: slow specs (a real browser) run only for survivors. */
export function isSlowSpec(name: string): boolean {
  return /browser/.test(name);
}

export interface MutateOptions {
  root: string;
  /** Called with each line vitest prints on stderr. */
  onOutput?: (line: string) => void;
  /** Called before each pass with what it runs. */
  onPass?: (pass: string, files: number) => void;
  /** A claim's time limit in a mutant run (a mutant that hangs a request is killed by it). */
  testTimeoutMs?: number;
  /** Only these mutant ids (for re-running one). */
  only?: string[];
}

/** The work folder's name: `.mutants-<pid>` at the root, so runs side by side do not share one. */
function workFolder(root: string): string {
  return join(root, `.mutants-${process.pid}`);
}
const BASELINE = 'baseline';

interface Copy {
  chapter: Chapter;
  /** Undefined for the baseline. */
  mutant?: Mutant;
  dir: string;
}

function copyName(chapter: Chapter, mutant?: Mutant): string {
  const num = chapter.id.split('-')[0];
  return mutant ? `${num}~${mutant.file.replace(/\.ts$/, '')}~${mutant.id}` : `${num}~${BASELINE}`;
}

export interface RunOutcome {
  /** Per copy folder name: the failed claims, or undefined when the copy's specs never reported. */
  failures: Map<string, string[]>;
  ran: Set<string>;
}

/**
 * What one run's report says of each copy (by folder name under `work`): the claims that failed,
 * a spec that could not run, or a file that failed outside any claim (a hook). Pure.
 */
export function outcomeOf(report: VitestJsonReport, work: string): RunOutcome {
  const failures = new Map<string, string[]>();
  const ran = new Set<string>();
  for (const file of report.testResults) {
    const rel = relative(work, file.name).split(sep);
    const name = rel[0] ?? '';
    ran.add(name);
    const list = failures.get(name) ?? [];
    failures.set(name, list);
    if (file.assertionResults.length === 0 && file.status === 'failed') {
      list.push(`${rel.slice(1).join('/')} could not run: ${(file.message ?? '').split('\n')[0]}`);
      continue;
    }
    for (const a of file.assertionResults) {
      if (a.status === 'failed') list.push([...a.ancestorTitles, a.title].join(' › '));
    }
    // A hook that failed (a beforeAll) leaves its tests skipped, not failed: the file's status tells.
    if (file.status === 'failed' && list.length === 0) {
      list.push(
        `${rel.slice(1).join('/')} failed outside any claim: ${(file.message ?? 'a hook failed').split('\n')[0]}`,
      );
    }
  }
  return { failures, ran };
}

/** Runs the given spec files in one vitest process with the project's config and a JSON report. */
async function runVitest(root: string, specs: string[], options: MutateOptions): Promise<RunOutcome> {
  const work = workFolder(root);
  const config = join(work, 'vitest.config.mjs');
  const output = join(work, 'report.json');
  rmSync(output, { force: true });
  const base = pathToFileURL(join(root, 'vitest.config.ts')).href;
  writeFileSync(
    config,
    [
      `import base from ${JSON.stringify(base)};`,
      `const test = base.test ?? {};`,
      `const setupFiles = (Array.isArray(test.setupFiles) ? test.setupFiles : test.setupFiles ? [test.setupFiles] : [])`,
      `  .map((f) => f.startsWith('/') ? f : ${JSON.stringify(`${root}/`)} + f);`,
      `export default { ...base, test: { ...test, include: ${JSON.stringify(specs)}, exclude: [], setupFiles, testTimeout: ${options.testTimeoutMs ?? 8000}, hookTimeout: 30000, bail: 0 } };`,
      '',
    ].join('\n'),
  );
  const args = [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    config,
    '--root',
    root,
    '--reporter=json',
    `--outputFile=${output}`,
  ];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onOutput?.(line);
    });
    child.on('error', reject);
    child.on('close', (exit) => resolve(exit ?? 1));
  });
  if (!existsSync(output)) throw new Error(`vitest exited with code ${code} and wrote no report`);
  return outcomeOf(JSON.parse(readFileSync(output, 'utf8')) as VitestJsonReport, work);
}

/**
 * Runs every mutant of every chapter's snippet files against that chapter's specs.
 * Returns one {@link ChapterMutation} per chapter, in the chapters' order.
 */
export async function mutateChapters(chapters: Chapter[], options: MutateOptions): Promise<ChapterMutation[]> {
  const { root } = options;
  const work = workFolder(root);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const copies: Copy[] = [];
    const perChapter = new Map<string, Mutant[]>();
    for (const chapter of chapters) {
      const mutants = mutableFiles(chapter)
        .flatMap((f) => mutantsOf(f.name, f.text))
        .filter((m) => !options.only || options.only.includes(m.id));
      perChapter.set(chapter.id, mutants);
      const layout = (mutant?: Mutant): void => {
        const dir = join(work, copyName(chapter, mutant));
        cpSync(join(root, chapter.dir), dir, { recursive: true });
        if (mutant) {
          const original = chapter.files.find((f) => f.name === mutant.file)!.text;
          writeFileSync(join(dir, mutant.file), applyMutant(original, mutant));
        }
        copies.push({ chapter, ...(mutant ? { mutant } : {}), dir });
      };
      layout();
      for (const m of mutants) layout(m);
    }

    const specsOf = (copy: Copy, slow: boolean): string[] =>
      copy.chapter.files
        .filter((f) => f.role === 'spec' && !f.name.includes('/') && isSlowSpec(f.name) === slow)
        .map((f) => relative(root, join(copy.dir, f.name)).split(sep).join('/'));

    const failures = new Map<string, string[]>();
    const ran = new Set<string>();
    const merge = (outcome: RunOutcome): void => {
      for (const name of outcome.ran) ran.add(name);
      for (const [name, list] of outcome.failures) failures.set(name, [...(failures.get(name) ?? []), ...list]);
    };

    const fast = copies.flatMap((c) => specsOf(c, false));
    options.onPass?.('HTTP specs, every mutant', fast.length);
    if (fast.length > 0) merge(await runVitest(root, fast, options));

    const survivors = copies.filter((c) => (failures.get(copyName(c.chapter, c.mutant)) ?? []).length === 0);
    const slow = survivors.flatMap((c) => specsOf(c, true));
    options.onPass?.('browser specs, survivors and baselines', slow.length);
    if (slow.length > 0) merge(await runVitest(root, slow, options));

    return chapters.map((chapter) => {
      const baseline = copyName(chapter);
      const results: MutantResult[] = (perChapter.get(chapter.id) ?? []).map((m) => {
        const name = copyName(chapter, m);
        const failed = failures.get(name) ?? [];
        if (!ran.has(name)) return { ...m, status: 'killed', killedBy: 'its specs did not report (the worker died)' };
        return failed.length > 0 ? { ...m, status: 'killed', killedBy: failed[0] } : { ...m, status: 'survived' };
      });
      return {
        id: chapter.id,
        inputs: inputsHash(root, chapter),
        baselinePassed: ran.has(baseline) && (failures.get(baseline) ?? []).length === 0,
        mutants: results,
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
