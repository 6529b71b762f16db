/**
 * axe-core's findings, judged and told (issue 13, item 2): which violations block (serious or
 * critical, less the exceptions stated in {@link AXE_EXCEPTIONS}), and a message a person can act
 * on: the page, the colour scheme, each rule's id, impact, help and the elements it found.
 * Pure: the browser test (tests/a11y.browser.test.ts) runs axe and hands its results here.
 * @module
 */

/** The part of an axe-core violation we use. */
export interface AxeViolation {
  id: string;
  impact?: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl?: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** A rule left out on some pages, with the reason stated (README "Accessibility" repeats it). */
export interface AxeException {
  /** axe's rule id. */
  rule: string;
  /** The pages (site paths) it is left out on; a path ending in `/` covers everything under it. */
  pages: RegExp;
  /** Why it cannot be fixed. */
  why: string;
}

/**
 * Rules left out, on exactly the pages named. Empty: typedoc's pages pass with api-docs.css and
 * api-docs.js (typedoc.json's customCss/customJs); an entry here needs a stated reason.
 */
export const AXE_EXCEPTIONS: readonly AxeException[] = [];

/** The impacts that fail the check. */
export const BLOCKING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/** The violations that fail `page`: serious or critical, and not excepted on that page. */
export function blockingViolations(page: string, violations: readonly AxeViolation[], exceptions: readonly AxeException[] = AXE_EXCEPTIONS): AxeViolation[] {
  return violations.filter(
    (v) => BLOCKING_IMPACTS.has(v.impact ?? '') && !exceptions.some((e) => e.rule === v.id && e.pages.test(page)),
  );
}

/** One element's selector as axe gives it (a list for frames and shadow roots). */
function selector(target: unknown): string {
  return Array.isArray(target) ? target.map(selector).join(' >>> ') : String(target);
}

/**
 * A readable report: `path (scheme): N serious or critical violations`, then per rule
 * `- id [impact] help (helpUrl)` and up to `maxNodes` elements with axe's summary of what to fix.
 * Empty when there is nothing to report.
 */
export function describeViolations(page: string, scheme: string, violations: readonly AxeViolation[], maxNodes = 5): string {
  if (violations.length === 0) return '';
  const lines = [`${page || '/'} (${scheme}): ${violations.length} serious or critical violation${violations.length === 1 ? '' : 's'}`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'unknown'}] ${v.help}${v.helpUrl ? ` (${v.helpUrl})` : ''}`);
    for (const node of v.nodes.slice(0, maxNodes)) {
      const summary = (node.failureSummary ?? '').split('\n').map((s) => s.trim()).filter(Boolean).slice(1, 3).join(' ');
      lines.push(`    ${node.target.map(selector).join(', ')}${summary ? ` — ${summary}` : ''}`);
    }
    if (v.nodes.length > maxNodes) lines.push(`    … and ${v.nodes.length - maxNodes} more`);
  }
  return lines.join('\n');
}
