/**
 * The site's Content-Security-Policy, in one place: the preview server sends it as a header, and
 * every page the render makes carries it in a `<meta>` too, for hosts that send no headers (a
 * plain static file host); only the header can forbid framing. typedoc's API pages get the header
 * only.
 * @module
 */

/**
 * What the API pages (typedoc's output, under `api/`) need beyond the rest of the site: typedoc's one
 * inline script at the top of every page (it sets the colour theme before the page shows), by its
 * hash; and inline styles, since typedoc's script writes the rules of its member filters into a
 * `<style>` element whose text changes with the filters. The API pages are made from our own source's
 * doc comments, never from chapter prose. A typedoc upgrade that changes the script shows up as a
 * CSP error on the API page in tests/site.browser.test.ts.
 */
export const TYPEDOC_SCRIPT_HASHES = ["'sha256-10m9WSfFWWa1qM9Z5+4hPCEFJP7DRPogeAkaBk+dSEo='"];

/**
 * The Content-Security-Policy of every page: only this site's own scripts, styles, images, fonts
 * and fetches; no inline script or style, no plugin, no form posting, no `<base>`, and no framing
 * by any page. pagefind compiles its WebAssembly (`'wasm-unsafe-eval'`, which allows WebAssembly
 * only, not `eval`) and searches in a worker from `pagefind/`. The icon is `data:,`.
 * @param api the policy of the API pages (see {@link TYPEDOC_SCRIPT_HASHES})
 * @param delivery `meta` leaves out what a `<meta>` cannot carry (`frame-ancestors`)
 */
export function contentSecurityPolicy(api = false, delivery: 'header' | 'meta' = 'header'): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval'${api ? ` ${TYPEDOC_SCRIPT_HASHES.join(' ')}` : ''}`,
    `style-src 'self'${api ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    // A browser ignores frame-ancestors in a <meta> (and says so in the console): only a header can forbid framing.
    ...(delivery === 'header' ? ["frame-ancestors 'none'"] : []),
  ].join('; ');
}
