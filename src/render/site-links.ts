/**
 * Links out of and into the site, from its configuration ({@link SiteConfig}): canonical and Open
 * Graph tags, the markdown twin's `<link rel="alternate">`, each chapter's source and edit links,
 * `sitemap.xml` and `robots.txt`. Without a base URL nothing here is absolute; without a
 * repository there are no source links.
 * @module
 */
import type { SiteConfig } from '../site-config.ts';
import type { Chapter } from '../types.ts';
import { esc } from './html.ts';

/** A page's absolute URL (`path` relative to the site root, `` for the index), or undefined without a base URL. */
export function absoluteUrl(config: SiteConfig, path: string): string | undefined {
  return config.baseUrl === undefined ? undefined : new URL(path, config.baseUrl).href;
}

export interface PageMeta {
  /** The page's path from the site root: ``, `01-x/`, `01-x/evidence.html`. */
  path: string;
  title: string;
  description: string;
  /** `website` for the index, `article` for a chapter page. */
  type: 'website' | 'article';
  /** The page's markdown twin, relative to the page (`index.md`), when it has one. */
  markdown?: string;
}

/**
 * The head elements a page adds: canonical and `og:url` (only with a base URL), `og:title`,
 * `og:description`, `og:type`, and the markdown twin as `<link rel="alternate" type="text/markdown">`.
 */
export function headLinks(config: SiteConfig, page: PageMeta): string[] {
  const url = absoluteUrl(config, page.path);
  return [
    ...(url === undefined ? [] : [`<link rel="canonical" href="${esc(url)}">`]),
    ...(page.markdown === undefined
      ? []
      : [`<link rel="alternate" type="text/markdown" href="${esc(page.markdown)}">`]),
    `<meta property="og:title" content="${esc(page.title)}">`,
    `<meta property="og:description" content="${esc(page.description)}">`,
    `<meta property="og:type" content="${page.type}">`,
    ...(url === undefined ? [] : [`<meta property="og:url" content="${esc(url)}">`]),
  ];
}

/** A chapter's "source of this chapter" (its folder) and "edit this page" (its README) addresses; undefined without a repository. */
export function sourceUrls(config: SiteConfig, chapter: Chapter): { tree: string; edit: string } | undefined {
  const repo = config.repository;
  if (!repo) return undefined;
  const path = (p: string) =>
    [repo.directory, p].filter(Boolean).join('/').split('/').map(encodeURIComponent).join('/');
  const branch = encodeURIComponent(repo.branch);
  const sep = repo.host === 'gitlab' ? '/-' : '';
  return {
    tree: `${repo.web}${sep}/tree/${branch}/${path(chapter.dir)}`,
    edit: `${repo.web}${sep}/edit/${branch}/${path(chapter.readme.path)}`,
  };
}

/** The chapter page's source links, a small paragraph; empty without a repository. */
export function sourceLinks(config: SiteConfig, chapter: Chapter): string {
  const urls = sourceUrls(config, chapter);
  if (!urls) return '';
  return `<p class="source-links" data-pagefind-ignore><a href="${esc(urls.tree)}">Source of this chapter</a> · <a href="${esc(urls.edit)}">Edit this page</a></p>`;
}

/** `sitemap.xml`: every page (paths from the site root), absolute; undefined without a base URL. */
export function sitemapXml(config: SiteConfig, paths: readonly string[]): string | undefined {
  if (config.baseUrl === undefined) return undefined;
  const urls = paths.map((p) => `<url><loc>${esc(absoluteUrl(config, p) as string)}</loc></url>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...urls,
    '</urlset>',
    '',
  ].join('\n');
}

/** `robots.txt`: everything allowed, and the sitemap's address when there is a base URL. */
export function robotsTxt(config: SiteConfig): string {
  const sitemap = absoluteUrl(config, 'sitemap.xml');
  return ['User-agent: *', 'Allow: /', ...(sitemap ? ['', `Sitemap: ${sitemap}`] : []), ''].join('\n');
}
