/**
 * `npm run mutate [-- NN ...] [-- --only ID] [-- --quiet]`
 *
 * Runs every mutant of each chapter's snippet files (app.ts, article*.ts, pitfall*.ts) against the
 * chapter's specs, prints each chapter's score against its targets (≥ 90 % of app.ts's mutants
 * killed, no safety mutant of app.ts surviving) with a diff of every survivor, and saves the run to
 * mutation-results.json (only the chapters it ran are replaced), which the build shows on the site.
 * Exits 1 when a chapter misses a target.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findChapters } from '../src/find.ts';
import { mutateChapters } from '../src/mutate/run.ts';
import { isSnippetFile, percent, scoreChapter, TARGET } from '../src/mutate/score.ts';
import { runInfo } from '../src/verify.ts';
import type { Chapter, ChapterMutation, MutationReport } from '../src/types.ts';
import { BuildError } from '../src/errors.ts';

const root = resolve(import.meta.dirname, '..');
const REPORT = resolve(root, 'mutation-results.json');

let parsed;
try {
  parsed = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'no-save': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  console.error(`mutate: ${(error as Error).message}`);
  console.error('usage: npm run mutate -- [NN ...] [--only MUTANT-ID] [--quiet] [--verbose] [--no-save]');
  process.exit(2);
}
const { values, positionals } = parsed;

let chapters: Chapter[];
try {
  chapters = findChapters(resolve(root, 'chapters'), root);
} catch (error) {
  if (error instanceof BuildError) {
    console.error(`mutate: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
if (positionals.length > 0) {
  const wanted = positionals.map((p) => {
    if (!/^\d{1,3}$/.test(p)) {
      console.error(`mutate: "${p}" is not a chapter number`);
      process.exit(2);
    }
    return Number(p);
  });
  const missing = wanted.filter((n) => !chapters.some((c) => c.number === n));
  if (missing.length > 0) {
    console.error(`mutate: no chapter numbered ${missing.join(', ')}`);
    process.exit(2);
  }
  chapters = chapters.filter((c) => wanted.includes(c.number));
}

const started = performance.now();
// One vitest process a chapter: a chapter's copies share nothing with another chapter's, and the
// score of each chapter is printed as soon as it is known.
const results: ChapterMutation[] = [];
let failed = 0;
for (const chapter of chapters) {
  const t0 = performance.now();
  const [r] = await mutateChapters([chapter], {
    root,
    ...(values.only ? { only: values.only } : {}),
    ...(values.verbose
      ? {
          onOutput: (line: string) => console.error(line),
          onPass: (pass: string, files: number) => console.error(`mutate: ${chapter.id}: ${pass}: ${files} spec files`),
        }
      : {}),
  });
  if (!r) continue;
  results.push(r);
  const score = scoreChapter(r);
  // Without a passing baseline every mutant looks killed: no score is worth printing.
  const head = r.baselinePassed
    ? score.files
        .map((f) => {
          const safety = r.mutants.filter((m) => m.file === f.file && m.safety);
          const target = isSnippetFile(f.file) ? `, target ${TARGET * 100} %` : '';
          return `${f.file} ${f.killed}/${f.total} (${percent(f.killed, f.total)} %${target}; safety ${safety.length - f.safetySurvivors.length}/${safety.length})`;
        })
        .join(', ')
    : `no score (its specs fail without any mutant: run npm test -- ${r.id.split('-')[0]})`;
  const ok = score.problems.length === 0;
  if (!ok) failed++;
  console.log(
    `${ok ? '✓' : '✗'} ${r.id}: ${head || 'no mutants'}  [${((performance.now() - t0) / 1000).toFixed(0)} s]`,
  );
  for (const p of score.problems) console.log(`    ${p}`);
  for (const f of r.baselinePassed ? score.files : []) {
    for (const m of f.survivors) {
      console.log(`    survived ${m.safety ? '[safety] ' : ''}${m.file}:${m.line} ${m.id}: ${m.description}`);
      if (!values.quiet)
        console.log(
          m.diff
            .split('\n')
            .map((l) => `        ${l}`)
            .join('\n'),
        );
    }
  }
}

if (!values['no-save'] && !values.only) {
  const previous: MutationReport | undefined = existsSync(REPORT)
    ? (JSON.parse(readFileSync(REPORT, 'utf8')) as MutationReport)
    : undefined;
  const info = runInfo(root);
  const kept = (previous?.chapters ?? []).filter((c) => !results.some((r) => r.id === c.id));
  const report: MutationReport = {
    date: info.date,
    commit: info.commit,
    node: process.versions.node,
    chapters: [...kept, ...results].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
  // Written beside it, then renamed: a build reading it never sees half a file.
  writeFileSync(`${REPORT}.${process.pid}.tmp`, `${JSON.stringify(report, null, 1)}\n`);
  renameSync(`${REPORT}.${process.pid}.tmp`, REPORT);
}
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`mutate: ${results.length - failed} of ${results.length} chapters meet their targets (${seconds} s)`);
process.exit(failed > 0 ? 1 : 0);
