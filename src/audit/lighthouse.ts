/**
 * Lighthouse's report, boiled down (issue 13's targets): the accessibility, best-practices and SEO
 * scores of a page against their targets (100 each), and the audits that failed. Pure: the script
 * that runs Lighthouse (scripts/audit.ts) hands each page's report here.
 * @module
 */

/** The categories audited and their targets (scores out of 100). */
export const TARGETS = { accessibility: 100, 'best-practices': 100, seo: 100 } as const;

export type Category = keyof typeof TARGETS;

/** The part of Lighthouse's result (LHR) used here. */
export interface LighthouseResult {
  finalDisplayedUrl?: string;
  requestedUrl?: string;
  categories: Record<
    string,
    { title: string; score: number | null; auditRefs: { id: string; weight: number }[] } | undefined
  >;
  audits: Record<
    string,
    { id: string; title: string; score: number | null; scoreDisplayMode: string; displayValue?: string } | undefined
  >;
}

/** One failed audit of one category. */
export interface FailedAudit {
  category: Category;
  id: string;
  title: string;
  /** 0 to 100. */
  score: number;
  displayValue?: string;
}

/** One page's figures. */
export interface PageAudit {
  url: string;
  /** Scores out of 100; null when Lighthouse could not score the category. */
  scores: Record<Category, number | null>;
  failed: FailedAudit[];
}

/**
 * A page's scores and failed audits: an audit fails when it is scored (binary or numeric, not
 * manual, informative or not applicable) below 1 and counts towards its category (weight > 0).
 */
export function summarise(lhr: LighthouseResult): PageAudit {
  const scores = {} as Record<Category, number | null>;
  const failed: FailedAudit[] = [];
  for (const category of Object.keys(TARGETS) as Category[]) {
    const c = lhr.categories[category];
    scores[category] = c && c.score !== null ? Math.round(c.score * 100) : null;
    for (const ref of c?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (!audit || ref.weight <= 0 || audit.score === null || audit.score >= 1) continue;
      if (!['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode)) continue;
      failed.push({
        category,
        id: audit.id,
        title: audit.title,
        score: Math.round(audit.score * 100),
        ...(audit.displayValue ? { displayValue: audit.displayValue } : {}),
      });
    }
  }
  return { url: lhr.finalDisplayedUrl ?? lhr.requestedUrl ?? '(unknown)', scores, failed };
}

/** True when every category of every page meets its target. */
export function meetsTargets(pages: readonly PageAudit[]): boolean {
  return pages.every((p) => (Object.keys(TARGETS) as Category[]).every((c) => (p.scores[c] ?? -1) >= TARGETS[c]));
}

/** The figures as text: per page, each category's score against its target, then the failed audits. */
export function formatAudits(pages: readonly PageAudit[]): string {
  const lines: string[] = [];
  for (const page of pages) {
    lines.push(page.url);
    for (const c of Object.keys(TARGETS) as Category[]) {
      const score = page.scores[c];
      const mark = score !== null && score >= TARGETS[c] ? 'ok' : 'BELOW TARGET';
      lines.push(`  ${c.padEnd(15)} ${String(score ?? '–').padStart(3)} / target ${TARGETS[c]}  ${mark}`);
    }
    for (const f of page.failed)
      lines.push(`  failed: [${f.category}] ${f.id}: ${f.title}${f.displayValue ? ` (${f.displayValue})` : ''}`);
  }
  lines.push(meetsTargets(pages) ? 'All targets met.' : 'Some targets not met (see above).');
  return lines.join('\n');
}
