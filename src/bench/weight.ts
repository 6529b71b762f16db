/**
 * What a chapter page costs a reader on a cold load: its HTML plus every stylesheet, script, image
 * and font it references (uncompressed bytes), read from a built site. Links are not followed: what
 * the page fetches only when the reader asks (the chapter's evidence page when a claim is opened, a
 * spec's source, the search code, style and index) is not part of a cold load.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The same-site URLs an HTML page loads on its own (stylesheets, scripts, images, icons, preloads). */
export function pageRefs(html: string): string[] {
  const refs: string[] = [];
  for (const tag of html.matchAll(/<(link|script|img|source|iframe)\b[^>]*>/gi)) {
    const text = tag[0];
    const name = (tag[1] as string).toLowerCase();
    if (name === 'link') {
      const rel = /\brel\s*=\s*["']?([^"'>]+)/i.exec(text)?.[1]?.toLowerCase() ?? '';
      if (!/\b(stylesheet|icon|preload|modulepreload|manifest)\b/.test(rel)) continue;
    }
    const url = /\b(?:href|src)\s*=\s*["']([^"']+)["']/i.exec(text)?.[1];
    if (url && !/^(?:[a-z]+:)?\/\//i.test(url) && !url.startsWith('data:') && !url.startsWith('#')) refs.push(url);
  }
  return refs;
}

/** URLs a stylesheet pulls in: `@import` and `url(...)` (fonts, images). */
export function cssRefs(css: string): string[] {
  const refs: string[] = [];
  for (const m of css.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const url = (m[1] ?? m[2]) as string;
    if (!url.startsWith('data:') && !url.startsWith('#')) refs.push(url);
  }
  return refs;
}

export interface PageWeight {
  page: string;
  html: number;
  css: number;
  js: number;
  other: number;
  total: number;
  files: string[];
  webFonts: boolean;
}

/** The cold-load bytes of one page of `site` (path relative to the site root). */
export function pageWeight(site: string, page: string): PageWeight {
  const w: PageWeight = { page, html: 0, css: 0, js: 0, other: 0, total: 0, files: [], webFonts: false };
  const seen = new Set<string>();
  const add = (file: string, kind: 'html' | 'css' | 'js' | 'other') => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const size = statSync(file).size;
    w[kind] += size;
    w.total += size;
    w.files.push(file.slice(site.length + 1));
  };
  const resolveRef = (from: string, url: string) => {
    const path = url.split(/[?#]/)[0] as string;
    return normalize(path.startsWith('/') ? join(site, path) : join(dirname(from), path));
  };
  const htmlFile = join(site, page);
  const html = readFileSync(htmlFile, 'utf8');
  add(htmlFile, 'html');
  for (const url of pageRefs(html)) {
    const file = resolveRef(htmlFile, url);
    const kind = /\.css$/.test(file) ? 'css' : /\.m?js$/.test(file) ? 'js' : 'other';
    add(file, kind);
    if (kind === 'css' && existsSync(file)) {
      const css = readFileSync(file, 'utf8');
      if (/@font-face/i.test(css)) w.webFonts = true;
      for (const ref of cssRefs(css)) {
        const f = resolveRef(file, ref);
        if (/\.(woff2?|ttf|otf|eot)$/i.test(f)) w.webFonts = true;
        add(f, /\.css$/.test(f) ? 'css' : 'other');
      }
    }
  }
  return w;
}

/** Every chapter page (`NN-slug/index.html`) of a built site. */
export function chapterPages(site: string): string[] {
  return readdirSync(site, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{2,}-/.test(e.name) && existsSync(join(site, e.name, 'index.html')))
    .map((e) => `${e.name}/index.html`)
    .sort();
}

/** Names of client-side frameworks whose runtime shows in a script (a crude check). */
export function frameworkIn(js: string): string | undefined {
  const known: Array<[string, RegExp]> = [
    ['React', /react(?:-dom)?\.production|__REACT_DEVTOOLS|createElement\(\s*Fragment/],
    ['Vue', /__VUE__|createApp\(|Vue\.component/],
    ['Preact', /preact/i],
    ['Svelte', /svelte/i],
    ['Alpine', /Alpine\.start/],
    ['jQuery', /jQuery|jquery/],
  ];
  return known.find(([, re]) => re.test(js))?.[0];
}
