/**
 * The claim directive: `{{claim "NAME"}}` inline in prose binds a statement to the test (claim)
 * that proves it. It renders as a link to the claim on the chapter page (`#claim-N`), with the
 * claim's status in words and a mark: "✓ verified: …", "✗ fails: …", "– not verified in this
 * build: …". A name that matches no claim of the chapter, or two of them, fails the build with the
 * README's path and line; so does a malformed directive (its grammar: `parseClaim` in directive.ts).
 *
 * NAME is double-quoted; inside it `\"` stands for `"` and `\\` for `\`, and a line break (with the
 * spaces around it) stands for one space, so prose may wrap inside a name. It matches a test's
 * name exactly, or its qualified name `Describe › name` (the describe blocks and the name, joined
 * with ` › `), which tells apart two tests of the same name.
 * @module
 */
import type { MarkdownIt, StateCore, StateInline, Token } from 'markdown-it';
import { BuildError } from '../errors.ts';
import type { ChapterResult, TestResult, TestStatus } from '../types.ts';
import type { ClaimEnv } from './env.ts';
import { type ParsedClaim, parseClaim } from './directive.ts';
import { escText } from './html.ts';
import { claimId } from './results.ts';

export type { ClaimEnv } from './env.ts';

/** A test's qualified name: its describe blocks and its name, joined with ` › `. */
export function qualifiedName(test: TestResult): string {
  return [...test.describe, test.name].join(' › ');
}

/** What a directive resolved to. */
export interface ClaimRef {
  name: string;
  /**
   * `found`: the claim, by index in the chapter's results; `no-results`: the build has no results
   * for the chapter (nothing to check the name against; shown as not verified); `not-run`: no such
   * claim, but a spec file of the chapter did not run (the claim may be in it; shown as failing).
   */
  state: 'found' | 'no-results' | 'not-run';
  index?: number;
  status?: TestStatus;
}

/**
 * Finds the claim `name` among a chapter's results, or throws a located {@link BuildError}
 * (no such claim, or two of that name).
 * @param where the README path and line of the directive
 */
export function resolveClaim(
  result: ChapterResult | undefined,
  name: string,
  where: { path: string; line: number },
): ClaimRef {
  if (!result) return { name, state: 'no-results' };
  const matches: number[] = [];
  result.tests.forEach((test, index) => {
    if (test.name === name || qualifiedName(test) === name) matches.push(index);
  });
  // Two tests of the same name: the qualified name (with ` › `) may pick one of them.
  const exact =
    matches.length > 1 && name.includes(' › ')
      ? matches.filter((i) => qualifiedName(result.tests[i] as TestResult) === name)
      : matches;
  if (exact.length === 1) {
    const index = exact[0] as number;
    return { name, state: 'found', index, status: (result.tests[index] as TestResult).status };
  }
  if (exact.length > 1) {
    const names = exact.map((i) => `"${qualifiedName(result.tests[i] as TestResult)}"`);
    const same = new Set(names).size < names.length;
    throw new BuildError(
      where.path,
      `{{claim "${name}"}} is ambiguous: ${exact.length} claims of this chapter have that name (${names.join(', ')}); ${same ? 'rename one of the tests' : 'write the qualified name, describe blocks and name joined with " › "'}`,
      where.line,
    );
  }
  if (result.fileErrors.length > 0) return { name, state: 'not-run' };
  const near = nearest(result.tests, name);
  const hint = near
    ? `; the nearest is "${qualifiedName(near)}"`
    : "; the name must be a test name of this chapter's specs, exactly";
  throw new BuildError(
    where.path,
    `{{claim "${name}"}}: no claim of that name in ${result.tests.length === 0 ? 'this chapter (its specs have no tests)' : "this chapter's results"}${hint}`,
    where.line,
  );
}

/** The test whose name shares the most words with `name` (at least half of them), for a hint. */
function nearest(tests: readonly TestResult[], name: string): TestResult | undefined {
  const words = (text: string) =>
    new Set(
      text
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean),
    );
  const wanted = words(name);
  let best: TestResult | undefined;
  let bestScore = Math.ceil(wanted.size / 2) - 1;
  for (const test of tests) {
    const have = words(test.name);
    const score = [...wanted].filter((w) => have.has(w)).length;
    if (score > bestScore) {
      best = test;
      bestScore = score;
    }
  }
  return best;
}

/** Words and marks of a reference, by what it resolved to. */
const REF_TEXT: Record<TestStatus | 'no-results' | 'not-run', { mark: string; label: string; css: string }> = {
  passed: { mark: '✓', label: 'verified', css: 'passed' },
  failed: { mark: '✗', label: 'fails', css: 'failed' },
  skipped: { mark: '–', label: 'not verified in this build', css: 'skipped' },
  'no-results': { mark: '–', label: 'not verified in this build', css: 'skipped' },
  'not-run': { mark: '✗', label: 'fails (its spec did not run)', css: 'failed' },
};

/**
 * A reference as HTML: a link to the claim (to the claims section when the claim is not on the
 * page), its mark (hidden from screen readers, which read the word) and status, then its name.
 */
export function claimRefHtml(ref: ClaimRef): string {
  const key = ref.state === 'found' ? (ref.status as TestStatus) : ref.state;
  const { mark, label, css } = REF_TEXT[key];
  const href = ref.state === 'found' ? `#${claimId(ref.index as number)}` : '#claims';
  return `<a class="claim-ref ${css}" href="${href}"><span aria-hidden="true">${mark} </span>${label}: ${escText(ref.name)}</a>`;
}

/** Meta of a `claim_ref` token, until resolved. */
interface ClaimMeta {
  /** Offset of the directive in its inline token's content, for its line. */
  offset: number;
  parsed: ParsedClaim;
  ref?: ClaimRef;
}

/**
 * The markdown-it plugin: an inline rule turns each directive into a `claim_ref` token; a core
 * rule then resolves every one against `env.result` with its README line (and throws a located
 * {@link BuildError} for a malformed or unresolvable one); the `claim_ref` renderer rule writes
 * the link. Code spans and blocks are left alone. Needs a {@link ClaimEnv}.
 */
export function claimPlugin(md: MarkdownIt): void {
  md.inline.ruler.after('text', 'claim', (state: StateInline, silent: boolean) => {
    if (state.src.charCodeAt(state.pos) !== 0x7b /* { */) return false;
    const parsed = parseClaim(state.src, state.pos);
    if (!parsed) return false;
    // A malformed directive runs at most to the end of its inline content: its token carries the error.
    const end = Math.min(parsed.end, state.posMax);
    if (!silent) {
      const token = state.push('claim_ref', '', 0);
      token.meta = { offset: state.pos, parsed } satisfies ClaimMeta;
    }
    state.pos = end;
    return true;
  });

  md.core.ruler.after('inline', 'claim', (state: StateCore) => {
    const env = state.env as unknown as ClaimEnv;
    let line = 0; // the body line of the nearest block with a position (a table row's, for its cells)
    for (const token of state.tokens) {
      if (token.map) line = token.map[0];
      if (token.type !== 'inline' || !token.children?.some((t) => t.type === 'claim_ref')) continue;
      for (const child of token.children) {
        if (child.type !== 'claim_ref') continue;
        const meta = child.meta as unknown as ClaimMeta;
        const where = {
          path: env.chapter.readme.path,
          line: env.chapter.readme.bodyLine + line + countLines(token.content, meta.offset),
        };
        if (!meta.parsed.ok) {
          const text = token.content
            .slice(meta.offset, meta.offset + Math.min(meta.parsed.end - meta.offset, 60))
            .replace(/\s+/g, ' ');
          throw new BuildError(
            where.path,
            `malformed claim directive ${JSON.stringify(text)}: ${meta.parsed.error}`,
            where.line,
          );
        }
        meta.ref = resolveClaim(env.result, meta.parsed.name, where);
      }
    }
  });

  md.renderer.rules.claim_ref = (tokens: Token[], idx: number) =>
    claimRefHtml((tokens[idx]?.meta as unknown as ClaimMeta | undefined)?.ref as ClaimRef);
}

/** Line breaks in `text` before `offset`. */
function countLines(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
