/** Small helpers for writing HTML by hand. @module */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a double-quoted attribute. */
const NEEDS_ESC = /[&<>"']/;

export function esc(text: string): string {
  // Most text has nothing to escape: test once instead of replacing through a callback.
  return NEEDS_ESC.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text;
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes text for an HTML element's content only (not an attribute): quotes stay as they are. */
const NEEDS_ESC_TEXT = /[&<>]/;

export function escText(text: string): string {
  return NEEDS_ESC_TEXT.test(text) ? text.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] as string) : text;
}

/** A URL-safe, lowercase anchor from heading or claim text. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 60).replace(/-+$/, '') || 'section';
}

/** Milliseconds for people: `12 ms`, `1.3 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
