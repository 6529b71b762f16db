/**
 * The site for readers who ask an assistant: `llms.txt` at the root (llmstxt.org's format: title,
 * summary, a link to each chapter's markdown twin with its one-line summary) and each chapter's
 * markdown twin, `NN-slug/index.md`: the chapter's prose as written, with every include resolved
 * to a fenced code block, every claim reference and the claims themselves with their status.
 *
 * Prose, test names and failure messages are input: in the twin they stay text. Raw HTML in prose
 * (which the page shows as text, see createMarkdown) has its `<` written as `&lt;`, code spans and
 * blocks excepted; names and summaries are backslash-escaped; a failure message is a fenced block
 * longer than any backtick run in it.
 * @module
 */
import type { Env } from 'markdown-it';
import type { SiteConfig } from '../site-config.ts';
import type { Chapter, ChapterResult, TestResult } from '../types.ts';
import { resolveClaim } from './claim.ts';
import { parseClaim } from './directive.ts';
import type { ChapterEnv } from './env.ts';
import type { Included } from './include.ts';
import { chapterNumber, SITE_TITLE } from './layout.ts';
import { claimId, STATUS_TEXT, tally } from './results.ts';
import { absoluteUrl, sourceUrls } from './site-links.ts';
import { chapterView, type RenderContext, VERDICT_TEXT } from './view.ts';

/** The markdown twin's name, next to the chapter's `index.html`. */
export const TWIN = 'index.md';

/**
 * Text as markdown that shows it as written: line breaks become spaces, markdown's specials are
 * backslash-escaped, and so is a `&` that would start an entity (`&lt;`).
 */
export function mdText(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]|&(?=#?\w+;)/g, '\\$&');
}

/** A fenced code block that no line of `code` can close: backticks one longer than its longest run (at least 3). */
export function fenced(code: string, lang = ''): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${code.replace(/\n+$/, '')}\n${fence}`;
}

const LANGS: Record<string, string> = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  json: 'json',
  sh: 'sh',
};

/** The language of a fenced block for a file, by its extension. */
function langOf(name: string): string {
  return LANGS[/\.([a-z]+)$/.exec(name)?.[1] ?? ''] ?? 'text';
}

/** The autolink `<scheme:…>` at `i`, which markdown keeps as a link, not as HTML. */
const AUTOLINK = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>/y;

/**
 * Prose as markdown text: claim references resolved ({@link claimRef}); outside code spans, a `<`
 * that would start raw HTML becomes `&lt;`. Code spans, backslash escapes and autolinks are kept.
 */
export function proseText(text: string, claim: (name: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      out += text.slice(i, i + 2);
      i += 2;
    } else if (c === '`') {
      const run = /`+/y;
      run.lastIndex = i;
      const open = (run.exec(text) as RegExpExecArray)[0];
      const close = new RegExp(`(?<!\`)${open}(?!\`)`, 'g');
      close.lastIndex = i + open.length;
      const m = close.exec(text);
      const end = m ? m.index + open.length : i + open.length;
      out += text.slice(i, end);
      i = end;
    } else if (c === '{') {
      const parsed = parseClaim(text, i);
      if (parsed?.ok) {
        out += claim(parsed.name);
        i = parsed.end;
      } else {
        out += c;
        i++;
      }
    } else if (c === '<') {
      AUTOLINK.lastIndex = i;
      const link = AUTOLINK.exec(text);
      out += link ? link[0] : '&lt;';
      i += link ? link[0].length : 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Words of a claim reference by what it resolved to (as on the page). */
function refLabel(result: ChapterResult | undefined, name: string, path: string): { label: string; href: string } {
  const ref = resolveClaim(result, name, { path, line: 0 });
  if (ref.state === 'found') {
    const { mark, label } = STATUS_TEXT[ref.status as TestResult['status']];
    return {
      label: `${mark} ${ref.status === 'failed' ? 'fails' : label}`,
      href: `./#${claimId(ref.index as number)}`,
    };
  }
  return {
    label: ref.state === 'not-run' ? '✗ fails (its spec did not run)' : '– not verified in this build',
    href: './#claims',
  };
}

/** `N of M claims verified (…)`, as the page's badge says it. */
function badgeText(result: ChapterResult | undefined): string {
  const t = tally(result);
  if (t.total === 0) return 'No claims verified: no results.';
  const extra = [
    t.failed > 0 ? `${t.failed} failed` : '',
    t.skipped > 0 ? `${t.skipped} not verified in this build` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${t.passed} of ${t.total} claims verified${extra ? ` (${extra})` : ''}.`;
}

/** The claims as markdown: a list, each with its status in words, file and line, and a failure's message. */
export function claimsMarkdown(result: ChapterResult | undefined): string {
  const lines = ['## Claims', '', badgeText(result), ''];
  for (const e of result?.fileErrors ?? []) {
    const what =
      e.fault === 'timeout'
        ? 'was stopped: its chapter timed out'
        : e.fault === 'crash'
          ? "was stopped: its chapter's process died"
          : 'did not run';
    lines.push(`- ✗ failed: ${mdText(`${e.file} ${what}`)}`, '', indent(fenced(e.message, 'text')), '');
  }
  let group: string | undefined;
  (result?.tests ?? []).forEach((test, index) => {
    const { mark, label } = STATUS_TEXT[test.status];
    const where = `${test.file}${test.line ? `:${test.line}` : ''}`;
    // Claims under the same describe blocks share a heading, as on the page.
    const heading = test.describe.join(' › ');
    if (heading !== group && heading !== '') lines.push('', `### ${mdText(heading)}`, '');
    group = heading;
    lines.push(
      `${index + 1}. ${mark} ${label}: [${mdText(test.name)}](./#${claimId(index)}) (${mdText(where)}, ${test.durationMs} ms)`,
    );
    if (test.status === 'failed' && test.failure) lines.push('', indent(fenced(test.failure, 'text')), '');
  });
  return lines.join('\n').replace(/\n+$/, '');
}

function indent(text: string, by = '   '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

/** An include as markdown: where the code is from (a link to the file next to the page), then the code, fenced. */
function includeMarkdown({ file, region, code }: Included): string {
  const from =
    region === undefined
      ? `[${mdText(file.name)}](${encodeURI(file.name)})`
      : `[${mdText(file.name)}](${encodeURI(file.name)}), region ${mdText(region)}`;
  return `From ${from}:\n\n${fenced(code, langOf(file.name))}`;
}

/**
 * A chapter's markdown twin (`NN-slug/index.md`). The prose is parsed with the page's own
 * markdown-it (so includes, code and `{{#results}}` are found exactly where the page finds them),
 * then written back line by line: code blocks as they are, directives resolved, every other line
 * through {@link proseText}.
 */
export function markdownTwin(ctx: RenderContext, index: number, config: SiteConfig): string {
  const chapter = ctx.chapters[index] as Chapter;
  const view = chapterView(ctx, index);
  const env: ChapterEnv = { chapter, result: view.result, used: new Set(), shownRun: new Set(), packages: {} };
  const body = chapter.readme.body.replace(/\r\n/g, '\n');
  const tokens = ctx.md.parse(body, env as unknown as Env);
  // The lines each directive or code block covers, by its first line.
  const special = new Map<number, { end: number; text?: string }>();
  let placed = false;
  for (const token of tokens) {
    if (!token.map) continue;
    const [start, end] = token.map;
    if (token.type === 'include') special.set(start, { end, text: includeMarkdown(token.meta as unknown as Included) });
    else if (token.type === 'results') {
      placed = true;
      special.set(start, { end, text: claimsMarkdown(view.result) });
    } else if (token.type === 'fence' || token.type === 'code_block') special.set(start, { end });
  }
  const lines = body.split('\n');
  const claim = (name: string) => {
    const { label, href } = refLabel(view.result, name, chapter.readme.path);
    return `[${label}: ${mdText(name)}](${href})`;
  };
  const out: string[] = [];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length > 0) out.push(proseText(prose.join('\n'), claim));
    prose = [];
  };
  for (let i = 0; i < lines.length; ) {
    const block = special.get(i);
    if (!block) {
      prose.push(lines[i] as string);
      i++;
      continue;
    }
    flush();
    const end = Math.max(block.end, i + 1);
    if (block.text === undefined) out.push(lines.slice(i, end).join('\n'));
    else {
      const lead = /^[ \t]*/.exec(lines[i] as string)?.[0] ?? '';
      out.push(indent(block.text, lead));
    }
    i = end;
  }
  flush();

  const urls = sourceUrls(config, chapter);
  const kicker =
    view.verdict === 'beyond'
      ? `Chapter ${view.number} · ${VERDICT_TEXT.beyond}.`
      : `Chapter ${view.number} · checks “${mdText(view.article)}” · verdict: ${VERDICT_TEXT[view.verdict]}.`;
  const text = out.join('\n').trim();
  // The README's own `# Title` stays the twin's title; the chapter's number and summary follow it.
  const h1 = /^# .*/.exec(text)?.[0];
  const head = [
    h1 ?? `# ${view.number}. ${mdText(view.title)}`,
    '',
    `> ${mdText(view.summary)}`,
    '',
    kicker,
    `This is the markdown twin of [the chapter's page](./) in ${mdText(SITE_TITLE)}; the HTTP exchanges behind each claim are on [its evidence page](evidence.html).` +
      (urls ? ` [Source of this chapter](${urls.tree}).` : ''),
    '',
  ];
  const tail = placed ? [] : ['', claimsMarkdown(view.result)];
  const rest = h1 === undefined ? text : text.slice(h1.length).trim();
  return `${[...head, rest, ...tail].join('\n')}\n`;
}

/** `llms.txt`: the handbook's title and summary, and each chapter's twin with its summary (absolute links with a base URL). */
export function llmsTxt(chapters: readonly Chapter[], config: SiteConfig, description: string): string {
  const link = (path: string) => absoluteUrl(config, path) ?? path;
  const items = chapters.map(
    (c) =>
      `- [${chapterNumber(c.number)}. ${mdText(c.meta.title)}](${link(`${c.id}/${TWIN}`)}): ${mdText(c.meta.summary)}`,
  );
  return [
    `# ${mdText(SITE_TITLE)}`,
    '',
    `> ${mdText(description)}`,
    '',
    'Each chapter checks a section of a popular express-session and cookie-parser tutorial, or goes beyond it. ' +
      'Its markdown twin below holds the prose, the snippets as fenced code, and every claim (a test run over real HTTP) with its status in this build.',
    '',
    '## Chapters',
    '',
    ...items,
    '',
  ].join('\n');
}
