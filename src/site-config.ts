/**
 * Where the site lives and where its source is: read once by the build (package.json and the
 * environment) and handed to the render as plain data ({@link SiteConfig}). The render reads nothing.
 *
 * - The base URL: `SITE_URL` from the environment, else package.json's `homepage`; none by default.
 *   With it, pages get canonical and `og:url` tags and the build writes `sitemap.xml`; without it,
 *   nothing on the site is an absolute URL.
 * - The base path (where the site is served from on its host, for the 404 page's links): the base
 *   URL's path, else `SITE_BASE_PATH`, else `/`.
 * - The repository: package.json's `repository` (a GitHub or GitLab URL or `github:owner/name`),
 *   for each chapter's "source of this chapter" and "edit this page" links; none without it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from './errors.ts';

/** A repository's web address and the branch links point into. */
export interface RepositoryConfig {
  /** `https://github.com/owner/name`, no trailing slash. */
  web: string;
  host: 'github' | 'gitlab';
  /** The branch of the "source" and "edit" links. */
  branch: string;
  /** The project's folder inside the repository (package.json's `repository.directory`), `` at its root. */
  directory: string;
}

/** What the render needs to know about where the site and its source live. */
export interface SiteConfig {
  /** The site's absolute URL, ending with `/`; absent when not configured. */
  baseUrl?: string;
  /** The path the site is served under on its host, starting and ending with `/` (default `/`). */
  basePath: string;
  /** Where the chapters' sources are; absent when package.json names no repository. */
  repository?: RepositoryConfig;
}

/** The configuration of a site with no base URL and no repository. */
export const NO_SITE_CONFIG: SiteConfig = { basePath: '/' };

/** The branch source links point into when package.json does not say (`repository.branch`, our own key). */
export const DEFAULT_BRANCH = 'main';

/** Checks and normalises a base URL: http(s), no query or fragment, ending with `/`. */
export function parseBaseUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new BuildError(
      from,
      `the site's base URL "${value}" is not an absolute URL (expected e.g. https://example.org/handbook/)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new BuildError(from, `the site's base URL "${value}" must start with https:// or http://`);
  if (url.search || url.hash || url.username || url.password)
    throw new BuildError(from, `the site's base URL "${value}" must have no query, fragment or credentials`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** Checks and normalises a base path: starts and ends with `/`, plain path characters only. */
export function parseBasePath(value: string, from: string): string {
  const path = value.trim();
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path.includes('//') || /(^|\/)\.\.?(\/|$)/.test(path)) {
    throw new BuildError(
      from,
      `the site's base path "${value}" must be a path like / or /handbook/ (letters, digits, . _ ~ - and /)`,
    );
  }
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * A repository's web address from package.json's `repository` field (a string or `{ url, directory }`):
 * `https://github.com/o/n`, `git+https://github.com/o/n.git`, `git@github.com:o/n.git`,
 * `github:o/n`, `o/n` (GitHub), and the same for `gitlab.com` / `gitlab:`. Others are a {@link BuildError}.
 */
export function parseRepository(field: unknown, from = 'package.json'): RepositoryConfig | undefined {
  if (field === undefined || field === null || field === '') return undefined;
  const object = typeof field === 'object' ? (field as Record<string, unknown>) : undefined;
  const raw = typeof field === 'string' ? field : object?.url;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new BuildError(from, '"repository" must be a URL or { "url": … }');
  const directory = typeof object?.directory === 'string' ? object.directory.replace(/^\/+|\/+$/g, '') : '';
  const branch =
    typeof object?.branch === 'string' && object.branch.trim() !== '' ? object.branch.trim() : DEFAULT_BRANCH;
  const text = raw.trim();
  const shorthand = /^(?:(github|gitlab):)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(text);
  const url =
    /^(?:git\+)?(?:https?|ssh|git):\/\/(?:git@)?(github\.com|gitlab\.com)\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(
      text,
    ) ?? /^git@(github\.com|gitlab\.com):([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(text);
  let host: RepositoryConfig['host'];
  let owner: string;
  let name: string;
  if (url) [host, owner, name] = [url[1] === 'gitlab.com' ? 'gitlab' : 'github', url[2] as string, url[3] as string];
  else if (shorthand)
    [host, owner, name] = [
      shorthand[1] === 'gitlab' ? 'gitlab' : 'github',
      shorthand[2] as string,
      shorthand[3] as string,
    ];
  else
    throw new BuildError(
      from,
      `"repository": "${text}" is not a GitHub or GitLab repository (expected e.g. https://github.com/owner/name)`,
    );
  return { web: `https://${host}.com/${owner}/${name}`, host, branch, directory };
}

/**
 * Reads the site configuration: package.json's `homepage` and `repository` from `root`, and
 * `SITE_URL` / `SITE_BASE_PATH` from `env`. Bad values are a {@link BuildError} naming where they came from.
 */
export function readSiteConfig(root: string, env: NodeJS.ProcessEnv = process.env): SiteConfig {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new BuildError('package.json', `cannot read it: ${(error as Error).message}`);
  }
  return siteConfig(pkg, env);
}

/** {@link readSiteConfig} on package.json's parsed content. */
export function siteConfig(pkg: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): SiteConfig {
  const fromEnv = env.SITE_URL?.trim();
  const homepage = typeof pkg.homepage === 'string' && pkg.homepage.trim() !== '' ? pkg.homepage : undefined;
  const baseUrl = fromEnv
    ? parseBaseUrl(fromEnv, 'SITE_URL (environment)')
    : homepage
      ? parseBaseUrl(homepage, 'package.json "homepage"')
      : undefined;
  const basePath = baseUrl
    ? new URL(baseUrl).pathname
    : env.SITE_BASE_PATH?.trim()
      ? parseBasePath(env.SITE_BASE_PATH, 'SITE_BASE_PATH (environment)')
      : '/';
  const repository = parseRepository(pkg.repository);
  return { basePath, ...(baseUrl ? { baseUrl } : {}), ...(repository ? { repository } : {}) };
}
