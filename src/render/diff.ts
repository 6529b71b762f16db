/**
 * From the article to the fix: a line diff of a region the README includes from both the
 * article's code (`article.ts`) and the chapter's fix (`app.ts`), shown after the second of the two
 * includes. Plain escaped text in `<del>`/`<ins>` lines, no highlighting and no script.
 * @module
 */
import type { Chapter, ChapterFile } from '../types.ts';
import { escText } from './html.ts';
import { extractRegion } from './include.ts';

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export type DiffLine = readonly [' ' | '-' | '+', string];

/** A shortest line diff of `before` into `after` (longest common subsequence; removals before additions). */
export function lineDiff(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  // lcs[i * (m + 1) + j]: the longest common subsequence of before[i..] and after[j..].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => lcs[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = before[i] === after[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push([' ', before[i] ?? '']);
      i++;
      j++;
    } else if (i < n && (j === m || at(i + 1, j) >= at(i, j + 1))) {
      out.push(['-', before[i++] ?? '']);
    } else {
      out.push(['+', after[j++] ?? '']);
    }
  }
  return out;
}

/**
 * The diff's hunks: changed lines with up to `context` unchanged lines around them; a run of
 * unchanged lines cut out is one `null`. No change at all gives no hunks.
 */
export function hunks(diff: readonly DiffLine[], context = 2): Array<DiffLine | null> {
  const changed = diff.map(([op]) => op !== ' ');
  if (!changed.includes(true)) return [];
  const near = diff.map((_, k) => changed.slice(Math.max(0, k - context), k + context + 1).includes(true));
  const out: Array<DiffLine | null> = [];
  diff.forEach((line, k) => {
    if (near[k]) out.push(line);
    else if (out.length === 0 || out[out.length - 1] !== null) out.push(null);
  });
  if (out[out.length - 1] === null) out.pop();
  return out;
}

/** The HTML of a diff block: one line each, `<del>` and `<ins>` marked, cut-out runs as `⋯`. */
export function diffHtml(before: string, after: string, caption: string): string {
  const lines = hunks(lineDiff(before.split('\n'), after.split('\n')));
  if (lines.length === 0) return '';
  const body = lines
    .map((line) => {
      if (line === null) return '<span class="cut">⋯</span>';
      const [op, text] = line;
      const t = escText(`${op} ${text}`);
      return op === '-' ? `<del>${t}</del>` : op === '+' ? `<ins>${t}</ins>` : `<span>${t}</span>`;
    })
    .join('\n');
  return `<figure class="diff"><figcaption>${caption}</figcaption><pre tabindex="0"><code>${body}</code></pre></figure>`;
}

/** The file a region's counterpart comes from: app.ts for article.ts and the other way round. */
function counterpart(chapter: Chapter, file: ChapterFile): ChapterFile | undefined {
  const other = file.role === 'article' ? 'app.ts' : file.name === 'app.ts' ? 'article.ts' : undefined;
  return other === undefined ? undefined : chapter.files.find((f) => f.name === other);
}

/** The `file:region` of each include so far on a page, by the page's env. */
const includedOn = new WeakMap<object, Set<string>>();

/**
 * The diff to show after including `file`'s `region` on the page rendered with `env`, when the
 * page already included the same region of its counterpart (article.ts for app.ts and the other
 * way round). Empty otherwise.
 */
export function articleToFix(env: { chapter: Chapter }, file: ChapterFile, region: string | undefined): string {
  const included = includedOn.get(env) ?? new Set<string>();
  includedOn.set(env, included);
  included.add(`${file.name}:${region ?? ''}`);
  const { chapter } = env;
  const other = counterpart(chapter, file);
  if (!other || region === undefined || !included.has(`${other.name}:${region}`) || included.has(`diff:${region}`))
    return '';
  included.add(`diff:${region}`);
  const [article, fix] = file.role === 'article' ? [file, other] : [other, file];
  const where = { path: chapter.readme.path, line: 0 };
  const names = `<code>${escText(article.name)}</code> → <code>${escText(fix.name)}</code>`;
  const caption = `From the article to the fix: region <code>${escText(region)}</code>, ${names}`;
  return diffHtml(extractRegion(article, region, where), extractRegion(fix, region, where), caption);
}
