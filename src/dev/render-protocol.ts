/**
 * The messages between the dev server and its render worker (render-worker.ts).
 * @module
 */
import type { Chapter, SiteFile, Verification } from '../types.ts';

/** The flag in `workerData` that tells render-worker.ts it is the worker. */
export const WORKER_FLAG = 'sessions-and-cookies-verified:dev-render';

export interface RenderRequest {
  seq: number;
  root: string;
  chaptersDir: string;
  verification: Verification;
  /** Chapter ids to re-render, or null for the whole site (chapters re-read from disk). */
  ids: string[] | null;
  api: boolean;
}

export interface RenderReply {
  seq: number;
  files?: SiteFile[];
  chapters?: Chapter[];
  /** What went wrong; `RESCAN` when a chapter appeared or went away (render the whole site instead). */
  error?: string;
  ms?: number;
}
