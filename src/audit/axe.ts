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
  nodes: { target: unknown[]; failureSummary?: string; element?: string }[];
}

/** A rule left out on some pages, with the reason stated (README "Accessibility" repeats it). */
export interface AxeException {
  /** axe's rule id. */
  rule: string;
  /** The pages (site paths) it is left out on; a path ending in `/` covers everything under it. */
  pages: RegExp;
  /**
   * The elements it is left out for, matched against each node's `element` (`tag.class.class`, as
   * the test describes it): the exception holds only when every node of the violation matches.
   */
  elements: RegExp;
  /** Why it cannot be fixed. */
  why: string;
}

/**
 * Rules left out, on exactly the pages and elements named, each with its reason. typedoc's pages
 * need none (src/api-docs/custom.js fixes them).
 */
export const AXE_EXCEPTIONS: readonly AxeException[] = [
  {
    rule: 'scrollable-region-focusable',
    pages: /^(?!api\/)/,
    elements: /^details\.side$/,
    why:
      'On a wide screen the chapter list is a closed <details> whose content site.css shows with ::details-content; ' +
      'axe counts the content of a closed <details> as hidden, so it finds a scrolling region with nothing to focus, ' +
      'but Chromium focuses every link in it with Tab (tests/a11y.browser.test.ts checks that), which scrolls the list.',
  },
];

/** The impacts that fail the check. */
export const BLOCKING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/** The violations that fail `page`: serious or critical, and not excepted on that page. */
export function blockingViolations(
  page: string,
  violations: readonly AxeViolation[],
  exceptions: readonly AxeException[] = AXE_EXCEPTIONS,
): AxeViolation[] {
  const excepted = (v: AxeViolation) =>
    exceptions.some(
      (e) =>
        e.rule === v.id &&
        e.pages.test(page) &&
        v.nodes.length > 0 &&
        v.nodes.every((n) => e.elements.test(n.element ?? '')),
    );
  return violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? '') && !excepted(v));
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
export function describeViolations(
  page: string,
  scheme: string,
  violations: readonly AxeViolation[],
  maxNodes = 5,
): string {
  if (violations.length === 0) return '';
  const lines = [
    `${page || '/'} (${scheme}): ${violations.length} serious or critical violation${violations.length === 1 ? '' : 's'}`,
  ];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'unknown'}] ${v.help}${v.helpUrl ? ` (${v.helpUrl})` : ''}`);
    for (const node of v.nodes.slice(0, maxNodes)) {
      const summary = (node.failureSummary ?? '')
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .slice(1, 3)
        .join(' ');
      lines.push(`    ${node.target.map(selector).join(', ')}${summary ? ` — ${summary}` : ''}`);
    }
    if (v.nodes.length > maxNodes) lines.push(`    … and ${v.nodes.length - maxNodes} more`);
  }
  return lines.join('\n');
}
