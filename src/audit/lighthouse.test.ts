import { describe, expect, test } from 'vitest';
import { formatAudits, type LighthouseResult, meetsTargets, summarise } from './lighthouse.ts';

const lhr = (seo: number): LighthouseResult => ({
  finalDisplayedUrl: 'http://127.0.0.1:1/15-hostile-input/',
  categories: {
    accessibility: {
      title: 'Accessibility',
      score: 1,
      auditRefs: [
        { id: 'color-contrast', weight: 7 },
        { id: 'manual', weight: 0 },
      ],
    },
    'best-practices': { title: 'Best Practices', score: 1, auditRefs: [{ id: 'errors-in-console', weight: 1 }] },
    seo: {
      title: 'SEO',
      score: seo,
      auditRefs: [
        { id: 'canonical', weight: 1 },
        { id: 'robots-txt', weight: 1 },
        { id: 'structured-data', weight: 0 },
      ],
    },
  },
  audits: {
    'color-contrast': { id: 'color-contrast', title: 'Contrast', score: 1, scoreDisplayMode: 'binary' },
    manual: { id: 'manual', title: 'Manual', score: 0, scoreDisplayMode: 'manual' },
    'errors-in-console': { id: 'errors-in-console', title: 'No errors', score: 1, scoreDisplayMode: 'binary' },
    canonical: {
      id: 'canonical',
      title: 'Document has a valid rel=canonical',
      score: seo < 1 ? 0 : 1,
      scoreDisplayMode: 'binary',
    },
    'robots-txt': { id: 'robots-txt', title: 'robots.txt is valid', score: null, scoreDisplayMode: 'notApplicable' },
    'structured-data': { id: 'structured-data', title: 'Structured data', score: 0, scoreDisplayMode: 'binary' },
  },
});

describe('Lighthouse figures', () => {
  test('scores out of 100; failed audits are scored ones below 1 that count (weight > 0)', () => {
    const page = summarise(lhr(0.92));
    expect(page.scores).toEqual({ accessibility: 100, 'best-practices': 100, seo: 92 });
    expect(page.failed).toEqual([
      { category: 'seo', id: 'canonical', title: 'Document has a valid rel=canonical', score: 0 },
    ]);
    expect(meetsTargets([page])).toBe(false);
    expect(meetsTargets([summarise(lhr(1))])).toBe(true);
  });

  test('the text names the page, each score against its target, and the failed audits', () => {
    const text = formatAudits([summarise(lhr(0.92))]);
    expect(text).toContain('http://127.0.0.1:1/15-hostile-input/');
    expect(text).toMatch(/accessibility +100 \/ target 100 {2}ok/);
    expect(text).toMatch(/seo +92 \/ target 100 {2}BELOW TARGET/);
    expect(text).toContain('failed: [seo] canonical: Document has a valid rel=canonical');
    expect(text.endsWith('Some targets not met (see above).')).toBe(true);
    expect(formatAudits([summarise(lhr(1))]).endsWith('All targets met.')).toBe(true);
  });
});
